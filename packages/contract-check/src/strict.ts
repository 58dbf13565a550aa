// A strict copy of the spec for verification: every object schema a request
// body reaches allows no undeclared fields. The API ignores unknown fields,
// so the spec rightly allows them; but a field the client sends that the
// contract does not declare is a drift the harness must catch.
type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * A copy the Ajv-based tools (Prism, swagger-mock-validator) can compile:
 * Ajv refuses a discriminator `mapping`, which OpenAPI uses to name the
 * branch for each value. Each branch states its own value as an enum, which
 * is all a validator needs, so the mapping is left out.
 */
export function withoutDiscriminatorMappings(original: Json): Json {
  const spec = structuredClone(original);
  const visit = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (isObject(node)) {
      if (isObject(node.discriminator)) delete node.discriminator.mapping;
      Object.values(node).forEach(visit);
    }
  };
  visit(spec);
  return spec;
}

export function strictRequestSpec(original: Json): Json {
  const spec = withoutDiscriminatorMappings(original);
  const components = (spec.components as Json | undefined)?.schemas as Json | undefined;
  const seen = new Set<unknown>();

  // `open`: the schema is one part of a whole that other parts add properties to (an allOf branch, or a
  // oneOf branch beside properties of its parent), so it must not refuse the properties they declare.
  const close = (schema: unknown, open = false) => {
    if (!isObject(schema) || seen.has(schema)) return;
    seen.add(schema);
    if (typeof schema.$ref === "string") {
      const name = schema.$ref.split("/").pop() as string;
      close(components?.[name], open);
      return;
    }
    const composed = Array.isArray(schema.allOf);
    if (isObject(schema.properties)) {
      if (!open && !composed) schema.additionalProperties ??= false;
      for (const property of Object.values(schema.properties)) close(property);
    }
    close(schema.items);
    if (composed) for (const branch of schema.allOf as unknown[]) close(branch, true);
    for (const key of ["oneOf", "anyOf"]) {
      if (!Array.isArray(schema[key])) continue;
      for (const branch of schema[key] as unknown[]) close(branch, open || isObject(schema.properties) || composed);
    }
  };

  for (const item of Object.values((spec.paths as Json) ?? {})) {
    if (!isObject(item)) continue;
    for (const operation of Object.values(item)) {
      const content =
        isObject(operation) && isObject(operation.requestBody) ? operation.requestBody.content : undefined;
      if (!isObject(content)) continue;
      for (const media of Object.values(content)) if (isObject(media)) close(media.schema);
    }
  }
  return spec;
}
