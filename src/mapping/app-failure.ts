/** Why one application cannot be mapped; the run logs it and goes on. */
export class AppFailure extends Error {
  override readonly name = 'AppFailure';
  constructor(
    /** Pipeline stage: `validation`, `parsing` or `mapping`. */
    readonly stage: 'validation' | 'parsing' | 'mapping',
    message: string,
    /** The app id when it could be read. */
    readonly appId: number | null = null,
  ) {
    super(message);
  }
}
