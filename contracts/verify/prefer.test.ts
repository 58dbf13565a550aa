// Provider states ask Prism for a status and an example name; against a spec
// that names its examples otherwise, only the status is asked for.
import { describe, expect, it } from "vitest";
import { preferIn } from "./verify-pacts.ts";

const spec = {
  paths: {
    "/messages": {
      post: {
        responses: {
          "201": { content: { "application/json": { examples: { "in-app": {} } } } },
          "403": { content: { "application/json": { example: {} } } },
        },
      },
    },
  },
};

const post = { method: "POST", path: "/messages" };

describe("the Prefer header for a spec", () => {
  it("keeps the example name where the spec has it for that status", () => {
    expect(preferIn(spec, "code=201, example=in-app", post)).toBe("code=201, example=in-app");
  });

  it("asks for the status alone where the spec has no example of that name for that status", () => {
    expect(preferIn(spec, "code=403, example=missing-app-message-permission", post)).toBe("code=403");
    expect(preferIn(spec, "code=403, example=in-app", post)).toBe("code=403");
  });

  it("looks only at the interaction's own operation", () => {
    expect(preferIn(spec, "code=201, example=in-app", { method: "POST", path: "/other" })).toBe("code=201");
    expect(preferIn(spec, "code=201, example=in-app", { method: "GET", path: "/messages" })).toBe("code=201");
  });
});
