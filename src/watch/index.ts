export { ActionSpecError, parseAction, runAction, type Verdicted, type WatchAction } from './actions.js';
export { FolderWatcher, sha256Of, type WatchOptions } from './watcher.js';
