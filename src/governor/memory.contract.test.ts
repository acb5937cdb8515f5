import { governorContract } from './contract.test-support.js';
import { MemoryGovernor } from './memory.js';
import { poolContract } from './pool.contract.test-support.js';

governorContract('MemoryGovernor', async (clock) => {
  let gov = new MemoryGovernor({ clock });
  return {
    gov,
    async restart() {
      // what the gateway's quota persistence does: snapshot every key, load it into a new governor
      const old = gov;
      const snap = old.snapshot('vt:contract');
      await old.close();
      gov = new MemoryGovernor({ clock });
      gov.load('vt:contract', snap);
      return gov;
    },
  };
});

poolContract('MemoryGovernor', async (clock) => ({
  gov: new MemoryGovernor({ clock }),
  async restart() {
    throw new Error('not used by the pool tests');
  },
}));
