import Dispatch
import Foundation

/// Threads that verify signatures for `Ledger.verify`, one per core, which
/// run queued tasks in the order they were queued.
///
/// `Ledger.verify` queues the signature chunks of its next batch while the
/// current batch's chunks still run, so that a worker moves on to the next
/// batch as soon as it runs out of work for the current one. Given 32 tasks
/// per batch that way, Dispatch's global queue started up to 16 threads on 2
/// cores, and the peak memory rose with them. The threads here are started
/// on first use and then wait for tasks for the life of the process.
final class SignatureWorkers: @unchecked Sendable {
    static let shared = SignatureWorkers(threadCount: ProcessInfo.processInfo.activeProcessorCount)

    private let condition = NSCondition()
    /// The tasks not yet started, oldest first, each with its group. Guarded by `condition`.
    private var tasks: [(run: @Sendable () -> Void, group: DispatchGroup)] = []

    private init(threadCount: Int) {
        for index in 0..<max(1, threadCount) {
            let thread = Thread { [self] in runTasks() }
            thread.name = "keyledger-verify-\(index)"
            thread.start()
        }
    }

    /// Queues `task` behind every task queued before it, as a member of `group`.
    ///
    /// A worker releases the task, and with it everything the task captured,
    /// before it leaves `group`. So once `group.wait()` returns, the waiting
    /// thread holds the only references to what it lent the task, and can
    /// reuse that storage without copying it.
    func enqueue(in group: DispatchGroup, _ task: @escaping @Sendable () -> Void) {
        group.enter()
        condition.lock()
        tasks.append((task, group))
        condition.signal()
        condition.unlock()
    }

    private func runTasks() {
        while true {
            condition.lock()
            while tasks.isEmpty {
                condition.wait()
            }
            var task: (run: @Sendable () -> Void, group: DispatchGroup)? = tasks.removeFirst()
            condition.unlock()
            task!.run()
            let group = task!.group
            task = nil
            group.leave()
        }
    }
}
