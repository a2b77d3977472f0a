/**
 * Run `count` tasks with at most `concurrency` in flight, results in task order. Stops starting
 * new tasks once `signal` aborts (the client went away); the results then cover the tasks started.
 */
export async function runBurst<T>(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<T>,
  signal?: AbortSignal,
): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count && !signal?.aborted) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results.filter((_, index) => index in results);
}
