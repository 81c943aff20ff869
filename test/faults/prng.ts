/**
 * The fault suite's seeded PRNG — the generator's mulberry32 (src/seed/prng.ts), remembering its seed
 * for the results report. A seed fully determines every choice a scenario
 * makes — which worker dies, after how many apps, how long after, batch size, read mode. Timing on a
 * real machine still varies, so a seed fixes the *plan*, not the nanosecond the kill lands.
 */
import { Rng } from '../../src/seed/prng.js';

/** A seeded random source that knows its seed. */
export class FaultRng extends Rng {
  constructor(readonly seed: number) {
    super(seed);
  }
}
