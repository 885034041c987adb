import { renderConfig } from "../../config/render_config.ts";
import { findWorkspace } from "../../store/project_root.ts";
import { workspaceKindName, workspaceWarnings } from "../../store/workspace.ts";
import { cacheDirFor } from "./cache_dir_for.ts";
import type { Context } from "./command.ts";
import type { CONFIG_OPTIONS } from "./options.ts";
import { readConfig } from "./read_config.ts";

/** `tph config`'s work: its options and help are in the command table (commands.ts). */
export function run(ctx: Context<typeof CONFIG_OPTIONS>): number {
  readConfig(ctx);
  const ws = findWorkspace(ctx.cwd);
  for (const w of workspaceWarnings(ws)) ctx.warn(w);
  ctx.out(renderConfig(ctx.config(), {
    cwd: ctx.cwd,
    cacheDir: cacheDirFor(ctx),
    workspace: ws === null ? null : { ...ws, kind: workspaceKindName(ws) },
  }));
  return 0;
}
