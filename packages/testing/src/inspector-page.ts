// TEMPORARY STUB (lead): replaced by helper's page.
import type { WorkbenchView } from "./workbench-views.js";
export function renderInspectorPage(view: WorkbenchView, _options: { notice?: string; error?: string } = {}): string {
  return `<!doctype html><html><body>${view.totalMessages}</body></html>`;
}
