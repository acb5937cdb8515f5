/** The one bounded worker pool: `workers` loops share a cursor over `count` items. */
export async function runPool(count: number, workers: number, work: (index: number) => Promise<void>, stop?: () => boolean): Promise<void> {
  let next = 0;
  const loop = async () => {
    for (;;) {
      if (stop?.()) return;
      const i = next++;
      if (i >= count) return;
      await work(i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(0, Math.min(Math.max(1, workers), count)) }, loop));
}
