/** One drill's fixture: the simulator, a recorder in front of it and a cluster on it, for a test file. */
import { after, before } from 'node:test';
import { type MockOptions, type MockServer, startMock } from '../../mock/index.js';
import { TestPostgresServer, postgresUnavailableReason } from '../../test-support/postgres-server.js';
import { type ClusterOptions, type ClusterStore, TestCluster, defaultStore } from './harness.js';
import { UpstreamRecorder } from './recorder.js';

export interface Drill {
  mock: MockServer;
  rec: UpstreamRecorder;
  cluster: TestCluster;
  /** The PostgreSQL server the instances share (undefined when they share a SQLite data dir). */
  postgres: TestPostgresServer | undefined;
  /** Its URL (the `--database` of every instance). */
  databaseUrl: string | undefined;
}

/**
 * The drills run on one PostgreSQL (a throw-away server per file) when initdb is here, as a cluster is
 * deployed; VTG_DRILL_DATABASE_URL names another server, VTG_DRILL_STORE=sqlite a shared SQLite data dir.
 */
async function drillStore(): Promise<{ store: ClusterStore; postgres?: TestPostgresServer }> {
  const given = defaultStore();
  if (given.kind === 'database' || process.env.VTG_DRILL_STORE === 'sqlite' || postgresUnavailableReason()) return { store: given };
  const postgres = await TestPostgresServer.start();
  return { store: { kind: 'database', url: postgres.createDatabase('drill') }, postgres };
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
    const { store, postgres } = await drillStore();
    drill.postgres = postgres;
    drill.databaseUrl = store.kind === 'database' ? store.url : undefined;
    drill.cluster = await TestCluster.start({ store, ...clusterOptions, upstream: drill.rec });
  });
  after(async () => {
    await drill.cluster?.close();
    await drill.rec?.close();
    await drill.mock?.close();
    drill.postgres?.close();
  });
  return drill;
}
