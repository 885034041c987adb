// Zed runs only the language servers its extensions declare: this one declares `tph lsp` for
// JavaScript and TypeScript, beside the languages' own servers. It runs the `tph` found on the
// PATH of the project's shell (or the path set in Zed's settings, `lsp.tph.binary.path`), in the
// project's folder, and hands it the settings' `lsp.tph.initialization_options` (`hintWidth`).
use zed_extension_api::{self as zed, settings::LspSettings, LanguageServerId, Result};

struct TphExtension;

impl zed::Extension for TphExtension {
    fn new() -> Self {
        TphExtension
    }

    fn language_server_command(
        &mut self,
        id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<zed::Command> {
        let binary = LspSettings::for_worktree(id.as_ref(), worktree)
            .ok()
            .and_then(|settings| settings.binary);
        let configured = binary.as_ref().and_then(|b| b.path.clone());
        let command = match configured.or_else(|| worktree.which("tph")) {
            Some(path) => path,
            None => {
                return Err("tph is not on the project's PATH: install it (npm install -g tph) \
                            or set lsp.tph.binary.path in Zed's settings"
                    .to_string())
            }
        };
        let mut args = binary.and_then(|b| b.arguments).unwrap_or_default();
        if args.is_empty() {
            args.push("lsp".to_string());
        }
        Ok(zed::Command {
            command,
            args,
            env: worktree.shell_env(),
        })
    }

    fn language_server_initialization_options(
        &mut self,
        id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<Option<zed::serde_json::Value>> {
        Ok(LspSettings::for_worktree(id.as_ref(), worktree)
            .ok()
            .and_then(|settings| settings.initialization_options))
    }
}

zed::register_extension!(TphExtension);
