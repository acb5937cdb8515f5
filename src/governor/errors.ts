/** A grant was asked for a key marked unusable (upstream answered 401/403). */
export class KeyUnhealthyError extends Error {
  override readonly name = 'KeyUnhealthyError';
  readonly code = 'KeyUnhealthy';
  constructor(readonly key: string) {
    super(`upstream key ${key} is marked unhealthy (credentials refused); no calls are granted`);
  }
}

export class GovernorClosedError extends Error {
  override readonly name = 'GovernorClosedError';
  readonly code = 'GovernorClosed';
  constructor() {
    super('the quota governor is closed');
  }
}
