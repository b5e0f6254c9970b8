// A setting's name (an environment variable) inside a sentence: shown as code, as data, so the
// sentence reads in the user's language and the name stays what the operator types.
import type { ReactNode } from "react";

export const setting = (chunks: ReactNode) => (
  <code data-data className="font-mono text-[0.9em]">
    {chunks}
  </code>
);
