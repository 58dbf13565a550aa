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

/**
 * A copy in which every object schema a request body reaches allows no
 * undeclared field. Where a schema is built of parts (allOf, or oneOf/anyOf
 * branches beside properties of their own), each part is closed knowing the
 * names the other parts declare: they are added to it as schemas that allow
 * anything (the part declaring a field still judges its value), so a renamed
 * field fails in a composed body too, and no declared one does.
 */
export function strictRequestSpec(original: Json): Json {
  const spec = withoutDiscriminatorMappings(original);
  const components = (spec.components as Json | undefined)?.schemas as Json | undefined;
  const resolve = (schema: unknown): Json | undefined => {
    if (!isObject(schema)) return undefined;
    if (typeof schema.$ref !== "string") return schema;
    return resolve(components?.[schema.$ref.split("/").pop() as string]);
  };
  /** The property names a schema declares, through $ref and allOf. */
  const namesOf = (schema: unknown, seen = new Set<unknown>()): string[] => {
    const resolved = resolve(schema);
    if (!resolved || seen.has(resolved)) return [];
    seen.add(resolved);
    return [
      ...Object.keys(isObject(resolved.properties) ? resolved.properties : {}),
      ...(Array.isArray(resolved.allOf) ? resolved.allOf.flatMap((part) => namesOf(part, seen)) : []),
    ];
  };
  const seen = new Set<unknown>();

  // `alsoAllowed`: names other parts of the same whole declare.
  const close = (schema: unknown, alsoAllowed: readonly string[] = []) => {
    const resolved = resolve(schema);
    if (!resolved || seen.has(resolved)) return;
    seen.add(resolved);
    const own = namesOf(resolved);
    const branches = ["oneOf", "anyOf"].flatMap((key) =>
      Array.isArray(resolved[key]) ? (resolved[key] as unknown[]) : [],
    );
    const branchNames = branches.flatMap((branch) => namesOf(branch));
    if (isObject(resolved.properties) || Array.isArray(resolved.allOf)) {
      const allowed = new Set([...own, ...alsoAllowed, ...branchNames]);
      if (isObject(resolved.properties)) {
        const properties = resolved.properties;
        for (const name of allowed) properties[name] ??= {};
        resolved.additionalProperties ??= false;
        for (const [name, property] of Object.entries(properties)) if (own.includes(name)) close(property);
      }
      if (Array.isArray(resolved.allOf)) for (const part of resolved.allOf) close(part, [...allowed]);
    }
    close(resolved.items);
    for (const branch of branches) close(branch, [...own, ...alsoAllowed]);
  };

  for (const item of Object.values((spec.paths as Json) ?? {})) {
    if (!isObject(item)) continue;
    for (const operation of Object.values(item)) {
      const content =
        isObject(operation) && isObject(operation.requestBody) ? operation.requestBody.content : undefined;
      if (!isObject(content)) continue;
      for (const media of Object.values(content)) {
        if (!isObject(media)) continue;
        // Its own copy: a dereferenced document shares schema objects between requests and answers.
        media.schema = structuredClone(media.schema);
        close(media.schema);
      }
    }
  }
  return spec;
}
