export class QueueFullError extends Error {
  override readonly name = 'QueueFullError';
  readonly code = 'QueueFull';
  constructor(readonly limit: number) {
    super(`the upstream queue is full (${limit} tasks waiting); try again later`);
  }
}

export class SchedulerClosedError extends Error {
  override readonly name = 'SchedulerClosedError';
  readonly code = 'SchedulerClosed';
  constructor() {
    super('the scheduler was closed before this task finished');
  }
}
