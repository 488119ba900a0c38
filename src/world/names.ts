import { Faker, en } from '@faker-js/faker';

/**
 * Human-friendly names for a trial's build, so a story reads "build 7c1e9a2 'hospitable
 * whale'" rather than "trial 17". Faker runs on its own generator seeded from (seed, trial):
 * names never consume a simulation stream, so they can never change a number.
 */
export function buildName(seed: number, trial: number): { sha: string; nickname: string } {
  const faker = new Faker({ locale: [en] });
  faker.seed([seed, trial]);
  return {
    sha: faker.git.commitSha({ length: 7 }),
    nickname: `${faker.word.adjective()} ${faker.animal.type()}`,
  };
}
