/** One drill's fixture: the simulator, a recorder in front of it and a cluster on it, for a test file. */
import { after, before } from 'node:test';
import { type MockOptions, type MockServer, startMock } from '../../mock/index.js';
import { type ClusterOptions, TestCluster } from './harness.js';
import { UpstreamRecorder } from './recorder.js';

export interface Drill {
  mock: MockServer;
  rec: UpstreamRecorder;
  cluster: TestCluster;
}

/**
 * Registers the file's before/after hooks and returns the fixture they fill (nothing starts when
 * `skip` says why the drills cannot run). Hooks a file adds after this one run after it.
 */
export function useDrill(skip: string | false | undefined, mockOptions: MockOptions, clusterOptions: Omit<ClusterOptions, 'upstream'>): Drill {
  const drill = {} as Drill;
  before(async () => {
    if (skip) return;
    drill.mock = await startMock(mockOptions);
    drill.rec = await UpstreamRecorder.start(drill.mock.url);
    drill.cluster = await TestCluster.start({ ...clusterOptions, upstream: drill.rec });
  });
  after(async () => {
    await drill.cluster?.close();
    await drill.rec?.close();
    await drill.mock?.close();
  });
  return drill;
}
