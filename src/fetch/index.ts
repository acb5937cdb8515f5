export { type Fetched, FetchFailedError, type FetchOptions, FetchRefusedError, fetchUrl, redactUrl } from './fetch.js';
