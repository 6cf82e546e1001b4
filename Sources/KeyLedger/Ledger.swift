import JOSE
