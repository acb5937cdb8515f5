/** Every item of an async iterable, in order (tests read `results` and `iterate` with it). */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
