// For the media tests: the MediaError a promise rejects with (failing the test if it resolves).
import { expect } from "vitest";
import { MediaError } from "../../lib/media/errors";

export async function mediaFailure(promise: Promise<unknown>): Promise<MediaError> {
  const err = await promise.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(MediaError);
  return err as MediaError;
}
