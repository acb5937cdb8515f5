/** The one place an error becomes the `{code, message}` pair answers, batches and reports carry. */
export interface ErrorInfo {
  code: string;
  message: string;
}

export function errorInfo(err: unknown): ErrorInfo {
  const e = err as { code?: unknown; name?: unknown; message?: unknown } | null | undefined;
  const code = typeof e?.code === 'string' ? e.code : typeof e?.name === 'string' ? e.name : 'Error';
  const message = typeof e?.message === 'string' ? e.message : String(err);
  return { code, message };
}
