/**
 * Runs `work` for the indexes 0 to `count` - 1, in order, with at most `workers` under way.
 * Once `stop()` is true, or a `work` has thrown, no new index is started. It returns only when
 * every started `work` has ended, so nothing runs on after it; then the first error is thrown.
 */
export async function forEachIndex(
	count: number,
	workers: number,
	work: (index: number) => Promise<void>,
	stop: () => boolean = () => false,
): Promise<void> {
	let next = 0;
	let thrown: { error: unknown } | undefined;
	const worker = async () => {
		while (next < count && !stop() && !thrown) {
			const index = next++;
			try {
				await work(index);
			} catch (error) {
				thrown ??= { error };
			}
		}
	};
	await Promise.all(Array.from({ length: Math.max(1, Math.min(Math.floor(workers) || 1, count)) }, worker));
	if (thrown) throw thrown.error;
}

/**
 * Runs tasks that share a key one after another, in the order they were started; tasks with
 * different keys run side by side.
 */
export class OneAtATimePerKey {
	private readonly last = new Map<string, Promise<void>>();

	async run<R>(key: string, task: () => Promise<R>): Promise<R> {
		const before = this.last.get(key);
		const result = before ? before.then(task) : task();
		const done = result.then(
			() => undefined,
			() => undefined,
		);
		this.last.set(key, done);
		try {
			return await result;
		} finally {
			if (this.last.get(key) === done) this.last.delete(key);
		}
	}
}
