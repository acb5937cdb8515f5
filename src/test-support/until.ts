/** Polls `check` until it returns a truthy value (bounded by `limitMs`: tests give real processes generous limits). */
type Falsy = undefined | null | false | 0 | '';

export async function until<T>(check: () => Promise<T | Falsy> | T | Falsy, limitMs = 15_000, everyMs = 25): Promise<T> {
  const end = Date.now() + limitMs;
  for (;;) {
    const v = await check();
    if (v) return v as T;
    if (Date.now() > end) throw new Error(`condition not met within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
