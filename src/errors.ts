/**
 * The one error class for expected failures: bad input, an impossible request. It carries
 * a machine-readable `code`; the CLI prints its message and exits 2. Any other error is a bug.
 */
export class GatesimError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'GatesimError';
  }
}

/** An issue found while validating a file: where it is and what was expected. */
export interface ValidationIssue {
  /** Path inside the document, e.g. `stages[2].checks[0].failureLimit`. */
  path: string;
  message: string;
}

/** Formats issues as `file: path: message`, one per line. */
export function formatIssues(file: string, issues: readonly ValidationIssue[]): string {
  return issues
    .map((i) => `${file}: ${i.path === '' ? '(root)' : i.path}: ${i.message}`)
    .join('\n');
}

export class ValidationError extends GatesimError {
  constructor(
    readonly file: string,
    readonly issues: readonly ValidationIssue[],
  ) {
    super('invalid-input', formatIssues(file, issues));
    this.name = 'ValidationError';
  }
}
