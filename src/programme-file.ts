import { readFile } from 'node:fs/promises';
import { programmeSchema, type Programme } from './domain/programme.js';
import { pathOf } from './http/errors.js';

export class ProgrammeFileError extends Error {
  constructor(file: string, problems: string[]) {
    super(`PROGRAMME_FILE ${file} is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ProgrammeFileError';
  }
}

export async function readProgrammeFile(file: string): Promise<Programme> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new ProgrammeFileError(file, [(error as Error).message]);
  }
  const result = programmeSchema.safeParse(raw);
  if (!result.success) {
    throw new ProgrammeFileError(
      file,
      result.error.issues.map((issue) => `${pathOf(issue.path) || '(root)'}: ${issue.message}`),
    );
  }
  return result.data;
}
