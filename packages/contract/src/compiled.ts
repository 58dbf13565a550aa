// The compiled validators, typed. The generated modules are Ajv standalone
// code (checked by nothing but their tests, hence @ts-nocheck there); this
// module gives them one small, typed face.
import type { validators } from "./generated/contract.js";
import { compiledModules } from "./generated/validators.js";

/** An error of a compiled validator, as Ajv reports it. */
export interface ErrorObject {
  keyword: string;
  instancePath: string;
  schemaPath: string;
  params: Record<string, unknown>;
  message?: string;
}

export interface CompiledValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

const modules = compiledModules as unknown as Readonly<Record<string, Readonly<Record<string, CompiledValidator>>>>;

/** The compiled function for a validator named in the generated `validators` table. */
export function compiledFunction(document: string, fn: string): CompiledValidator {
  const found = modules[document]?.[fn];
  if (!found) throw new Error(`@nhs-app-api/contract: no compiled validator ${document}/${fn}; run pnpm generate`);
  return found;
}

export type ValidatorTable = typeof validators;
