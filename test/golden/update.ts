/** Rewrites the golden digests and headline from the current build: `npm run golden:update`. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GOLDEN_DIR, runGoldenStudy } from './study.js';

const run = runGoldenStudy();
writeFileSync(join(GOLDEN_DIR, 'digests.json'), JSON.stringify(run.digests, null, 2) + '\n');
writeFileSync(join(GOLDEN_DIR, 'headline.json'), JSON.stringify(run.headline, null, 2) + '\n');
process.stdout.write(`golden outputs updated in ${GOLDEN_DIR}\n`);
