/** The VirusTotal-compatible /api/v3 surface, in registration order (specific paths before patterns). */
import type { RouteDef } from '../route.js';
import { v3AnalysisRoutes } from './analyses.js';
import { v3CollectionRoutes } from './collections.js';
import { v3ObjectRoutes } from './objects.js';
import { v3ScanRoutes } from './scans.js';
import { v3UserRoutes } from './users.js';

export const v3Routes: RouteDef[] = [...v3ScanRoutes, ...v3AnalysisRoutes, ...v3UserRoutes, ...v3ObjectRoutes, ...v3CollectionRoutes];
export { UploadTokens } from './upload-tokens.js';
