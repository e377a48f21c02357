//! Sentences as stable codes: every error a form can show, from the shared
//! rules or from the server, is a [`Message`] (a code and its parameters),
//! so the console can say it in the reader's language while the API and
//! the CLI keep the English text.
//!
//! [`TEMPLATES`] holds the one English wording of each code. Parameters are
//! values only (names typed, numbers, characters, limits), never words that
//! would need translating: a sentence that differs by a word is a code of
//! its own.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::names::{OBJECT_NAME_RULE, PROJECT_NAME_RULE};

/// A sentence as a stable code and its parameters: `project.name.taken`
/// with `name = shop` is "A project named “shop” already exists. Choose
/// another name."
///
/// Made with [`message!`](crate::message!) when the code is known when
/// compiling (the code is checked then, and only that code's English is
/// linked: the browser's wasm carries the sentences of the rules it runs,
/// not all of [`TEMPLATES`]), or [`Message::new`] for a code put together
/// at run time (the server's).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Message {
    pub code: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, String>,
    /// The code's English template; `None` for a message read from JSON
    /// (it came with its English) or of an unknown code.
    #[serde(skip)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    template: Option<&'static str>,
}

impl PartialEq for Message {
    fn eq(&self, other: &Self) -> bool {
        self.code == other.code && self.params == other.params
    }
}

impl Eq for Message {}

impl Message {
    /// A message of a code put together at run time: its template is
    /// looked up in [`TEMPLATES`], which links the whole table (the
    /// server's way; shared rules use [`message!`](crate::message!)).
    pub fn new(code: &str) -> Self {
        Self {
            code: code.to_owned(),
            params: BTreeMap::new(),
            template: template(code),
        }
    }

    /// A message of a code and template found when compiling
    /// (`message!`).
    #[doc(hidden)]
    pub fn known((code, template): (&'static str, &'static str)) -> Self {
        Self {
            code: code.to_owned(),
            params: BTreeMap::new(),
            template: Some(template),
        }
    }

    /// The same message with one more parameter.
    #[must_use]
    pub fn with(mut self, name: &str, value: impl ToString) -> Self {
        self.params.insert(name.to_owned(), value.to_string());
        self
    }

    /// The English sentence: the code's template with its parameters in
    /// place; the code itself when the template is not known here.
    pub fn english(&self) -> String {
        match self.template {
            Some(template) => fill(template, &self.params),
            None => self.code.clone(),
        }
    }
}

/// `message!("project.name.taken")`: the [`Message`] of a code known when
/// compiling. An unknown code does not compile, and only the templates
/// used are linked.
#[macro_export]
macro_rules! message {
    ($code:expr) => {
        $crate::message::Message::known(const { $crate::message::entry($code, "") })
    };
}

impl std::fmt::Display for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.english())
    }
}

/// The codes of one refused-character message, by how the character is
/// named: shown in quotes, a space, a tab, a line break, an invisible
/// space, a control character (`code.space`, …). Made in a `const` by
/// [`char_codes`], so only the codes a rule uses are linked.
pub struct CharCodes([(&'static str, &'static str); 6]);

/// The [`CharCodes`] of `code` (checked when compiling).
pub const fn char_codes(code: &str) -> CharCodes {
    CharCodes([
        entry(code, ""),
        entry(code, ".space"),
        entry(code, ".tab"),
        entry(code, ".line_break"),
        entry(code, ".invisible_space"),
        entry(code, ".control"),
    ])
}

/// The message about a refused character `c`: the character in quotes
/// (`char`), or the words a person would use for it ("a space", "the
/// control character U+0007" with `code` = `0007`).
pub fn char_message(codes: &CharCodes, c: char) -> Message {
    let [shown, space, tab, line_break, invisible, control] = codes.0;
    match c {
        ' ' => Message::known(space),
        '\t' => Message::known(tab),
        '\n' | '\r' => Message::known(line_break),
        c if c.is_whitespace() => Message::known(invisible),
        c if c.is_control() => {
            Message::known(control).with("code", format!("{:04X}", u32::from(c)))
        }
        c => Message::known(shown).with("char", c),
    }
}

/// Every code and its English template, `{name}` marking a parameter. The
/// one source of each sentence's wording; the console's catalogs
/// (`frontend/locales/*/messages.json`) translate them by code.
pub const TEMPLATES: &[(&str, &str)] = &[
    // Hints the forms show next to an input.
    ("hint.project_name", PROJECT_NAME_RULE),
    ("hint.object_name", OBJECT_NAME_RULE),
    // Any text.
    ("text.too_long", "Use at most {max} characters."),
    (
        "text.too_long_counted",
        "Use at most {max} characters (this one has {length}).",
    ),
    (
        "text.control_chars",
        "Remove control characters such as tabs.",
    ),
    ("text.nul", "Remove the NUL character."),
    ("list.too_many", "Use at most {max} entries."),
    // Names of projects and objects.
    ("name.required", "Enter a name."),
    (
        "name.char_invalid.label",
        "Use only lowercase letters, digits and hyphens; “{char}” is not allowed.",
    ),
    (
        "name.char_invalid.label.space",
        "Use only lowercase letters, digits and hyphens; a space is not allowed.",
    ),
    (
        "name.char_invalid.label.tab",
        "Use only lowercase letters, digits and hyphens; a tab is not allowed.",
    ),
    (
        "name.char_invalid.label.line_break",
        "Use only lowercase letters, digits and hyphens; a line break is not allowed.",
    ),
    (
        "name.char_invalid.label.invisible_space",
        "Use only lowercase letters, digits and hyphens; an invisible space is not allowed.",
    ),
    (
        "name.char_invalid.label.control",
        "Use only lowercase letters, digits and hyphens; the control character U+{code} is not allowed.",
    ),
    (
        "name.char_invalid.subdomain",
        "Use only lowercase letters, digits, hyphens and dots; “{char}” is not allowed.",
    ),
    (
        "name.char_invalid.subdomain.space",
        "Use only lowercase letters, digits, hyphens and dots; a space is not allowed.",
    ),
    (
        "name.char_invalid.subdomain.tab",
        "Use only lowercase letters, digits, hyphens and dots; a tab is not allowed.",
    ),
    (
        "name.char_invalid.subdomain.line_break",
        "Use only lowercase letters, digits, hyphens and dots; a line break is not allowed.",
    ),
    (
        "name.char_invalid.subdomain.invisible_space",
        "Use only lowercase letters, digits, hyphens and dots; an invisible space is not allowed.",
    ),
    (
        "name.char_invalid.subdomain.control",
        "Use only lowercase letters, digits, hyphens and dots; the control character U+{code} is not allowed.",
    ),
    ("name.start.letter", "Start with a lowercase letter."),
    (
        "name.start.alphanumeric",
        "Start with a lowercase letter or a digit.",
    ),
    (
        "name.end.alphanumeric",
        "End with a lowercase letter or a digit.",
    ),
    (
        "name.dot_part",
        "Each part between dots must start and end with a letter or digit.",
    ),
    // Image references.
    (
        "image.reference.required",
        "Enter the image address, for example nginx or us.icr.io/team/app:1.0.",
    ),
    (
        "image.reference.scheme",
        "Leave out “https://”: an image address starts with the registry, like us.icr.io/team/app.",
    ),
    (
        "image.reference.scheme.suggestion",
        "Leave out “https://”: did you mean {suggestion}?",
    ),
    (
        "image.reference.web_page",
        "This is the address of the image's web page. Did you mean {suggestion}?",
    ),
    (
        "image.reference.bare_digest",
        "This looks like a bare digest; write it after the image name, like app@sha256:….",
    ),
    (
        "image.reference.uppercase",
        "Image names use lowercase letters only (the registry part may have capitals).",
    ),
    (
        "image.reference.missing.name",
        "Something is missing around position {position}: an image name is expected here.",
    ),
    (
        "image.reference.missing.host",
        "Something is missing around position {position}: a registry host is expected here.",
    ),
    (
        "image.reference.missing.tag_or_port",
        "Something is missing around position {position}: a tag (like 1.0) or a port number is expected after “:”.",
    ),
    (
        "image.reference.missing.port",
        "Something is missing around position {position}: a port number is expected after “:”.",
    ),
    (
        "image.reference.missing.digest",
        "Something is missing around position {position}: a digest like sha256:… is expected after “@”.",
    ),
    (
        "image.reference.missing.end",
        "Something is missing around position {position}: the address ends too early.",
    ),
    (
        "image.reference.tag_invalid",
        "“{char}” at position {position} is not allowed in a tag (use letters, digits, “_”, “.” and “-”).",
    ),
    (
        "image.reference.port_or_tag_invalid",
        "“{char}” at position {position} is not allowed after “:” (a tag uses letters, digits, “_”, “.”, “-”; a port only digits).",
    ),
    (
        "image.reference.name_invalid",
        "“{char}” at position {position} is not allowed in an image name (use lowercase letters, digits, “/”, “.”, “_” and “-”).",
    ),
    (
        "image.reference.part_end_invalid",
        "“{char}” at position {position} is not allowed here: each part of the name must start and end with a letter or digit.",
    ),
    (
        "image.reference.host_invalid",
        "“{char}” at position {position} is not allowed in a registry host name.",
    ),
    (
        "image.reference.digest_invalid",
        "“{char}” at position {position} is not allowed in the digest (write it like sha256: followed by lowercase hexadecimal digits).",
    ),
    (
        "image.reference.name_too_long",
        "The image name is too long (at most {max} characters).",
    ),
    (
        "image.reference.tag_too_long",
        "The tag is too long (at most {max} characters).",
    ),
    (
        "image.reference.ipv6_invalid",
        "The registry's IPv6 address is not written correctly, like [::1]:5000.",
    ),
    (
        "image.reference.digest_length",
        "The digest has the wrong length: sha256 takes 64 hexadecimal digits.",
    ),
    (
        "image.reference.digest_too_short",
        "The digest is too short: sha256 takes 64 hexadecimal digits.",
    ),
    ("image.reference.digest_too_long", "The digest is too long."),
    // Image pointers.
    (
        "image.credential.choose",
        "Choose one of the project's registry credentials.",
    ),
    (
        "image.credential.gone",
        "The registry credential “{name}” no longer exists; choose another one.",
    ),
    (
        "image.not_found",
        "There is no image pointer named “{name}” in this project.",
    ),
    (
        "image.name.taken",
        "A image pointer named “{name}” already exists in this project. Choose another name.",
    ),
    (
        "image.stale",
        "Someone changed this image pointer after you opened it. Reload it to see the changes, then make yours again.",
    ),
    (
        "image.rename",
        "An image pointer cannot be renamed; create a new one instead.",
    ),
    // Registry credentials.
    (
        "credential.server.icr_location",
        "Choose one of the IBM Container Registry locations.",
    ),
    (
        "credential.server.required",
        "Enter the registry's address, like registry.example.com or host:5000.",
    ),
    (
        "credential.server.scheme",
        "Leave out “https://”: write only the host and, if needed, the port.",
    ),
    (
        "credential.server.path",
        "Write only the host and, if needed, the port; no “/” and nothing after it.",
    ),
    ("credential.server.too_long", "The address is too long."),
    (
        "credential.server.port",
        "The port must be a number from 1 to 65535.",
    ),
    (
        "credential.server.ipv6_bracket",
        "An IPv6 address needs its closing “]”.",
    ),
    (
        "credential.server.ipv6_invalid",
        "This is not a valid IPv6 address.",
    ),
    (
        "credential.server.after_ipv6",
        "Only “:port” may follow the address.",
    ),
    (
        "credential.server.host_missing",
        "Enter the host name before the port.",
    ),
    (
        "credential.server.empty_part",
        "The host name has an empty part between dots.",
    ),
    (
        "credential.server.part_too_long",
        "Each part of the host name has at most 63 characters.",
    ),
    (
        "credential.server.char_invalid",
        "“{char}” is not allowed in a host name.",
    ),
    (
        "credential.server.part_end",
        "Each part of the host name must start and end with a letter or digit.",
    ),
    ("credential.username.docker_id", "Enter your Docker ID."),
    ("credential.username.required", "Enter the user name."),
    (
        "credential.username.invalid",
        "A user name cannot contain “:” or control characters.",
    ),
    (
        "credential.secret.required.docker_hub",
        "Enter the access token or password.",
    ),
    (
        "credential.secret.required.icr",
        "Enter the API key, or read it from your apikey.json file.",
    ),
    ("credential.secret.required.other", "Enter the password."),
    (
        "credential.secret.retype",
        "Type the password, token or API key again to replace this credential: Berth never shows or reuses a saved secret.",
    ),
    (
        "credential.secret.retype_for_user",
        "To change the user name, type the password, token or API key again too: Berth never shows or reuses a saved secret.",
    ),
    (
        "credential.not_found",
        "There is no registry credential named “{name}” in this project.",
    ),
    (
        "credential.name.taken",
        "A registry credential named “{name}” already exists in this project. Choose another name.",
    ),
    (
        "credential.stale",
        "Someone changed this registry credential after you opened it. Reload it to see the changes, then make yours again.",
    ),
    (
        "credential.rename",
        "A credential cannot be renamed; create a new one instead.",
    ),
    (
        "credential.in_use",
        "The registry credential “{name}” is used by the image pointers “{pointer}”. Choose other credentials for them first, or delete it anyway.",
    ),
    (
        "credential.in_use.many",
        "The registry credential “{name}” is used by the image pointers {pointers} and “{last}”. Choose other credentials for them first, or delete it anyway.",
    ),
    (
        "credential.body_invalid",
        "The request body is not a valid registry credential: send JSON with name, kind (docker-hub, icr or other), server, username and secret.",
    ),
    // Registry checks.
    (
        "registry.unauthorized",
        "The registry {registry} refused the credentials. Check the user name and the password, token or API key of the registry credential.",
    ),
    (
        "registry.credentials_needed",
        "The registry {registry} asks for credentials to read this image. Choose a registry credential for it.",
    ),
    (
        "registry.image_not_found",
        "The registry {registry} has no image {repository} with the tag or digest {version}. Check the spelling, and whether it was pushed.",
    ),
    (
        "registry.unreachable",
        "The registry could not be reached: Berth's server could not connect to the registry {registry}. The registry may be down, or this server may not be allowed to reach it (a firewall or proxy in between): if it keeps failing, ask your administrator.",
    ),
    (
        "registry.unreachable.timeout",
        "The registry could not be reached: Berth's server could not connect to the registry {registry} within {seconds} seconds. The registry may be down, or this server may not be allowed to reach it (a firewall or proxy in between): if it keeps failing, ask your administrator.",
    ),
    (
        "registry.unreachable.lookup",
        "The registry could not be reached: Berth's server could not connect to the registry {registry} (its name could not be looked up). The registry may be down, or this server may not be allowed to reach it (a firewall or proxy in between): if it keeps failing, ask your administrator.",
    ),
    (
        "registry.unreachable.lookup_timeout",
        "The registry could not be reached: Berth's server could not connect to the registry {registry} (its name could not be looked up in time). The registry may be down, or this server may not be allowed to reach it (a firewall or proxy in between): if it keeps failing, ask your administrator.",
    ),
    (
        "registry.tls",
        "A secure (TLS) connection to the registry {registry} failed: its certificate is not trusted or does not match the address.",
    ),
    (
        "registry.internal_address",
        "Berth does not check images on internal addresses: the registry {registry} is on a loopback, private or link-local address. An administrator can allow it (--registry-allow).",
    ),
    (
        "registry.plain_http",
        "The registry {registry} sent Berth to {host} over plain HTTP; Berth only sends requests and credentials there over HTTPS (unless it is an insecure registry).",
    ),
    (
        "registry.unexpected.address_unreadable",
        "The registry {registry} gave an answer Berth could not use: the image address could not be read.",
    ),
    (
        "registry.unexpected.status",
        "The registry {registry} gave an answer Berth could not use: HTTP status {status}.",
    ),
    (
        "registry.unexpected.token_status",
        "The registry {registry} gave an answer Berth could not use: HTTP status {status} from its token service.",
    ),
    (
        "registry.unexpected.broken_off",
        "The registry {registry} gave an answer Berth could not use: the connection broke off.",
    ),
    (
        "registry.unexpected.sign_in_method",
        "The registry {registry} gave an answer Berth could not use: a sign-in method Berth does not know.",
    ),
    (
        "registry.unexpected.token_address",
        "The registry {registry} gave an answer Berth could not use: a token address it could not read.",
    ),
    (
        "registry.unexpected.token_unreadable",
        "The registry {registry} gave an answer Berth could not use: a token it could not read.",
    ),
    (
        "registry.unexpected.no_token",
        "The registry {registry} gave an answer Berth could not use: no token.",
    ),
    (
        "registry.unexpected.redirect_invalid",
        "The registry {registry} gave an answer Berth could not use: a redirect without a valid address.",
    ),
    (
        "registry.unexpected.too_many_redirects",
        "The registry {registry} gave an answer Berth could not use: too many redirects.",
    ),
    (
        "registry.unexpected.no_host",
        "The registry {registry} gave an answer Berth could not use: an address without a host.",
    ),
    (
        "registry.unexpected.no_port",
        "The registry {registry} gave an answer Berth could not use: an address without a port.",
    ),
    (
        "registry.unexpected.client",
        "The registry {registry} gave an answer Berth could not use: a client could not be made.",
    ),
    (
        "registry.unexpected.user_name",
        "The registry {registry} gave an answer Berth could not use: a user name it could not send.",
    ),
    // Job templates.
    (
        "job_template.image_pointer.choose",
        "Choose one of the project's image pointers.",
    ),
    (
        "job_template.image_pointer.gone",
        "The image pointer “{name}” no longer exists; choose another image.",
    ),
    (
        "job_template.image.both",
        "Choose an image pointer or type a reference, not both.",
    ),
    (
        "job_template.command.empty",
        "Enter the command part, or remove this row.",
    ),
    (
        "job_template.args.empty",
        "Enter the argument, or remove this row.",
    ),
    (
        "job_template.retry_limit.range",
        "Use a number from 0 to {max}.",
    ),
    (
        "job_template.max_execution.range",
        "Use from {min} seconds (1 minute) to {max} seconds (1 day).",
    ),
    (
        "job_template.secret.taken",
        "This project already has a Secret named “{secret}”, where this template's secret values would go. Choose another name.",
    ),
    (
        "job_template.not_found",
        "There is no job template named “{name}” in this project.",
    ),
    (
        "job_template.name.taken",
        "A job template named “{name}” already exists in this project. Choose another name.",
    ),
    (
        "job_template.stale",
        "Someone changed this job template after you opened it. Reload it to see the changes, then make yours again.",
    ),
    (
        "job_template.rename",
        "A job template cannot be renamed; duplicate it instead.",
    ),
    (
        "job_template.body_invalid",
        "The request body is not a valid job template: send JSON with name, image or imagePointer, command, args, env (name, value, sensitive), size, indices, retryLimit and maxExecutionSeconds.",
    ),
    ("env.too_many", "Use at most {max} variables."),
    ("env.name.start", "Start with a letter or an underscore."),
    (
        "env.name.char_invalid",
        "Use only letters, digits and underscores; “{char}” is not allowed.",
    ),
    (
        "env.name.char_invalid.space",
        "Use only letters, digits and underscores; a space is not allowed.",
    ),
    (
        "env.name.char_invalid.tab",
        "Use only letters, digits and underscores; a tab is not allowed.",
    ),
    (
        "env.name.char_invalid.line_break",
        "Use only letters, digits and underscores; a line break is not allowed.",
    ),
    (
        "env.name.char_invalid.invisible_space",
        "Use only letters, digits and underscores; an invisible space is not allowed.",
    ),
    (
        "env.name.char_invalid.control",
        "Use only letters, digits and underscores; the control character U+{code} is not allowed.",
    ),
    (
        "env.name.duplicate",
        "“{name}” is already set above; use each name once.",
    ),
    ("env.value.required", "Type the secret value."),
    (
        "indices.malformed",
        "Use numbers and ranges separated by commas, such as 0-9,20,30-32; “{part}” is not one.",
    ),
    (
        "indices.descending",
        "A range must go upwards: “{part}” does not.",
    ),
    ("indices.too_high", "Use indices from 0 to {max}."),
    ("indices.overlap", "Index {index} is listed twice."),
    (
        "indices.too_many",
        "That makes {count} instances; at most {max} are allowed.",
    ),
    // Job runs.
    (
        "job_run.env.sensitive",
        "“{name}” is sensitive; change it in the template, not for one run.",
    ),
    (
        "job_run.not_found",
        "There is no job run named “{name}” in this project.",
    ),
    (
        "job_run.cannot_run",
        "This Berth cannot run jobs: it keeps its data without a cluster, and no container engine (podman or docker) was found on its machine.",
    ),
    (
        "job_run.no_failed_index",
        "No index of job run “{run}” failed.",
    ),
    (
        "job_run.no_free_name",
        "No free name was found for the run; try again.",
    ),
    (
        "job_run.index.not_found",
        "Index {index} is not part of job run “{run}”.",
    ),
    ("job_run.index.required", "Say which index: ?index=N."),
    (
        "job_run.attempt.not_started",
        "Attempt {attempt} of index {index} has not started yet.",
    ),
    (
        "job_run.attempt.no_log",
        "Attempt {attempt} of index {index} has no log to show yet.",
    ),
    (
        "job_run.body_invalid",
        "The request body is not valid for a run: send JSON with indices, args and env (name, value), each optional.",
    ),
    // The data inventory.
    (
        "inventory.image.not_found",
        "There is no image named “{name}” in this project.",
    ),
    (
        "inventory.job_template_env.not_found",
        "There is no job template secret settings named “{name}” in this project.",
    ),
    (
        "inventory.job_run_env.not_found",
        "There is no job run secret settings snapshot named “{name}” in this project.",
    ),
    (
        "inventory.activity_log.not_found",
        "There is no activity log named “{name}” in this project.",
    ),
    (
        "inventory.other.not_found",
        "There is no other item named “{name}” in this project.",
    ),
    // Projects.
    (
        "project.name.taken",
        "A project named “{name}” already exists. Choose another name.",
    ),
    ("project.not_found", "There is no project named “{name}”."),
    (
        "project.deleting",
        "Project “{name}” is being deleted; its data can no longer be changed.",
    ),
    (
        "project.terminating",
        "This project is being deleted; its data can no longer be changed.",
    ),
    (
        "project.deleted",
        "Project “{name}” was deleted; restore it from Deleted projects to use its data.",
    ),
    (
        "project.not_deleted",
        "Project “{name}” is not deleted, so there is nothing to restore.",
    ),
    (
        "project.soft_delete_disabled",
        "This server deletes projects permanently: deleting with a restore window is turned off.",
    ),
    (
        "project.deletion_mode.invalid",
        "“{mode}” is not a deletion mode; use “soft” (restorable for a while) or “hard” (permanent).",
    ),
    (
        "project.changed",
        "Project “{name}” was changed by someone else at the same time. Try again.",
    ),
    (
        "project.changed_while_deleting",
        "The project changed while it was being deleted. Try again.",
    ),
    // Members and roles.
    ("members.user.required", "Enter the user's name or id."),
    ("members.user.invalid", "This is not a user name or id."),
    ("members.user.duplicate", "This person is already a member."),
    (
        "members.user.unknown",
        "There is no user named “{user}”. Check the spelling, or ask an administrator to create the account first.",
    ),
    ("members.owner.required", "Keep at least one owner."),
    (
        "access.forbidden.viewer",
        "Your role in project “{project}” is viewer: it cannot do this. Ask an owner of the project.",
    ),
    (
        "access.forbidden.editor",
        "Your role in project “{project}” is editor: it cannot do this. Ask an owner of the project.",
    ),
    (
        "access.forbidden.owner",
        "Your role in project “{project}” is owner: it cannot do this. Ask an owner of the project.",
    ),
    // Signing in, passwords and accounts.
    ("session.required", "Sign in to continue."),
    (
        "session.sign_in.refused",
        "The user name or password is not right.",
    ),
    (
        "session.sign_in.too_many",
        "Too many sign-in attempts. Wait {seconds} seconds, then try again.",
    ),
    (
        "session.csrf",
        "This request did not come from the console (its CSRF check failed). Reload the page and try again.",
    ),
    (
        "session.current_password.required",
        "Enter your current password.",
    ),
    (
        "session.current_password.wrong",
        "This is not your current password.",
    ),
    (
        "session.password.too_short",
        "Use at least {min} characters; a few words make a good password.",
    ),
    (
        "session.password.unchanged",
        "Choose a password different from the current one.",
    ),
    (
        "session.password.change_required",
        "Choose your own password first: the one you signed in with works only once.",
    ),
    (
        "session.password.external",
        "Your password is managed by your organisation's sign-in, not by Berth.",
    ),
    ("users.admin_only", "Only administrators manage accounts."),
    (
        "users.name.taken",
        "An account named “{name}” already exists.",
    ),
    ("users.not_found", "There is no account named “{name}”."),
    (
        "users.last_admin",
        "This is the last administrator; make another one first.",
    ),
    (
        "users.busy",
        "The accounts changed while removing this one; try again.",
    ),
    // Requests as a whole.
    ("validation.failed", "Some fields need your attention."),
    ("request.too_large", "The request body is too large."),
    (
        "request.method",
        "This address does not take this kind of request (its method).",
    ),
    (
        "request.json_required",
        "Send the request body as JSON (Content-Type: application/json).",
    ),
    ("request.invalid", "The request is not valid."),
    (
        "request.invalid.reason",
        "The request is not valid: {reason}",
    ),
    (
        "request.body_invalid",
        "The request body is not valid: {reason}",
    ),
    ("request.query.not_a_number", "{name} must be a number."),
    (
        "api.unknown_endpoint",
        "There is no API endpoint at this address.",
    ),
    (
        "storage.unavailable",
        "The storage service did not answer. Try again in a moment.",
    ),
    ("server.internal", "Something went wrong on our side."),
    // The activity log (`activity::ActivityEntry::what`).
    (
        "activity.credential.created",
        "Created registry credential {name}",
    ),
    (
        "activity.credential.created.unnamed",
        "Created a registry credential",
    ),
    (
        "activity.credential.create.tried",
        "Tried to create a registry credential",
    ),
    (
        "activity.credential.changed",
        "Changed registry credential {name}",
    ),
    (
        "activity.credential.change.tried",
        "Tried to change registry credential {name}",
    ),
    (
        "activity.credential.deleted",
        "Deleted registry credential {name}",
    ),
    (
        "activity.credential.delete.tried",
        "Tried to delete registry credential {name}",
    ),
    ("activity.image.created", "Created image pointer {name}"),
    ("activity.image.created.unnamed", "Created an image pointer"),
    (
        "activity.image.create.tried",
        "Tried to create an image pointer",
    ),
    ("activity.image.changed", "Changed image pointer {name}"),
    (
        "activity.image.change.tried",
        "Tried to change image pointer {name}",
    ),
    ("activity.image.deleted", "Deleted image pointer {name}"),
    (
        "activity.image.delete.tried",
        "Tried to delete image pointer {name}",
    ),
    (
        "activity.job_template.created",
        "Created job template {name}",
    ),
    (
        "activity.job_template.created.unnamed",
        "Created a job template",
    ),
    (
        "activity.job_template.create.tried",
        "Tried to create a job template",
    ),
    (
        "activity.job_template.changed",
        "Changed job template {name}",
    ),
    (
        "activity.job_template.change.tried",
        "Tried to change job template {name}",
    ),
    (
        "activity.job_template.deleted",
        "Deleted job template {name}",
    ),
    (
        "activity.job_template.delete.tried",
        "Tried to delete job template {name}",
    ),
    ("activity.job_run.deleted", "Deleted job run {name}"),
    (
        "activity.job_run.delete.tried",
        "Tried to delete job run {name}",
    ),
    (
        "activity.image.verify.done",
        "Checked image pointer {name} with its registry",
    ),
    (
        "activity.image.verify.tried",
        "Tried to check image pointer {name} with its registry",
    ),
    (
        "activity.job_template.job.done",
        "Rendered job template {name} as a Kubernetes Job",
    ),
    (
        "activity.job_template.job.tried",
        "Tried to render job template {name} as a Kubernetes Job",
    ),
    ("activity.job_template.runs.done", "Ran job template {name}"),
    (
        "activity.job_template.runs.done.made",
        "Ran job template {name} as job run {run}",
    ),
    (
        "activity.job_template.runs.tried",
        "Tried to run job template {name}",
    ),
    ("activity.job_run.logs.done", "Read job run {name}'s log"),
    (
        "activity.job_run.logs.tried",
        "Tried to read job run {name}'s log",
    ),
    ("activity.job_run.events.done", "Followed job run {name}"),
    (
        "activity.job_run.events.tried",
        "Tried to follow job run {name}",
    ),
    (
        "activity.job_run.rerun_failed.done",
        "Reran the failed indices of job run {name}",
    ),
    (
        "activity.job_run.rerun_failed.done.made",
        "Reran the failed indices of job run {name} as job run {run}",
    ),
    (
        "activity.job_run.rerun_failed.tried",
        "Tried to rerun the failed indices of job run {name}",
    ),
    ("activity.project.created", "Created the project"),
    ("activity.project.deleted", "Deleted the project"),
    (
        "activity.project.delete.tried",
        "Tried to delete the project",
    ),
    ("activity.project.restored", "Restored the project"),
    (
        "activity.project.restore.tried",
        "Tried to restore the project",
    ),
    ("activity.members.changed", "Changed the members"),
    (
        "activity.members.change.tried",
        "Tried to change the members",
    ),
    ("activity.log.cleared", "Cleared the activity log"),
    (
        "activity.log.clear.tried",
        "Tried to clear the activity log",
    ),
    ("activity.inventory.image.deleted", "Deleted image {name}"),
    (
        "activity.inventory.image.delete.tried",
        "Tried to delete image {name}",
    ),
    (
        "activity.inventory.job_template_env.deleted",
        "Deleted job template secret settings {name}",
    ),
    (
        "activity.inventory.job_template_env.delete.tried",
        "Tried to delete job template secret settings {name}",
    ),
    (
        "activity.inventory.job_run_env.deleted",
        "Deleted job run secret settings snapshot {name}",
    ),
    (
        "activity.inventory.job_run_env.delete.tried",
        "Tried to delete job run secret settings snapshot {name}",
    ),
    (
        "activity.inventory.other.deleted",
        "Deleted other item {name}",
    ),
    (
        "activity.inventory.other.delete.tried",
        "Tried to delete other item {name}",
    ),
    // Why a job run or one of its indices waits or failed.
    (
        "job_run.reason.deadline",
        "Stopped after the maximum execution time.",
    ),
    (
        "job_run.reason.indices_failed",
        "Some indices failed after their retries.",
    ),
    ("job_run.reason.failed", "It failed after its retries."),
    (
        "job_run.reason.settings_pending",
        "Waiting for the run's settings (its secret values) to be ready.",
    ),
    (
        "job_run.reason.image_invalid",
        "The image reference is not valid.",
    ),
    (
        "job_run.reason.pull.refused",
        "The image could not be pulled: the registry refused the credential.",
    ),
    (
        "job_run.reason.pull.missing",
        "The image could not be pulled: the registry has no such image.",
    ),
    (
        "job_run.reason.pull.unreachable",
        "The image could not be pulled: the registry could not be reached.",
    ),
    (
        "job_run.reason.pull.failed",
        "The image could not be pulled.",
    ),
    (
        "job_run.reason.out_of_memory",
        "It ran out of memory; choose a larger size.",
    ),
    ("job_run.reason.finished", "It finished."),
    (
        "job_run.reason.exit_code",
        "It ended with exit code {code}.",
    ),
    (
        "job_run.reason.retrying",
        "Attempt {attempt} ended with exit code {code}; it will be retried.",
    ),
    // Why a project's deletion is stuck, and what to do.
    (
        "deletion.stalled.finalizers",
        "The deletion of project {project} is stuck: {resource} {name} (waiting for {finalizers}) cannot be removed until another system finishes its clean-up.",
    ),
    (
        "deletion.stalled.finalizers.many",
        "The deletion of project {project} is stuck: {objects} cannot be removed until the systems named in brackets finish their clean-up.",
    ),
    (
        "deletion.advice.finalizers",
        "Ask a cluster administrator to check the system that added the finalizer. If that system no longer exists, they can remove the finalizer, e.g. `kubectl patch {resource} {name} -n {namespace} --type=merge -p '{patch}'`; the deletion then finishes by itself.",
    ),
    (
        "deletion.stalled.objects",
        "The deletion of project {project} is slow: some objects in it have not been removed yet.",
    ),
    (
        "deletion.advice.objects",
        "Ask a cluster administrator to look at `kubectl get all,secrets,configmaps -n {namespace}` and at the namespace's conditions (`kubectl get namespace {namespace} -o yaml`).",
    ),
    (
        "deletion.stalled.namespace",
        "The deletion of project {project} is waiting for the cluster to release its namespace.",
    ),
    (
        "deletion.advice.namespace",
        "Ask a cluster administrator to check the namespace's finalizers ({finalizers}) and conditions with `kubectl get namespace {namespace} -o yaml`.",
    ),
    (
        "deletion.advice.namespace.none",
        "Ask a cluster administrator to check the namespace's finalizers (none) and conditions with `kubectl get namespace {namespace} -o yaml`.",
    ),
];

/// The English template of `code`.
pub fn template(code: &str) -> Option<&'static str> {
    TEMPLATES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, template)| *template)
}

/// The code `code` + `suffix` and its template, found when compiling
/// (`message!`, [`char_codes`]): a code missing from [`TEMPLATES`] stops
/// the build.
#[doc(hidden)]
pub const fn entry(code: &str, suffix: &str) -> (&'static str, &'static str) {
    let mut i = 0;
    while i < TEMPLATES.len() {
        if joined_equals(TEMPLATES[i].0, code, suffix) {
            return TEMPLATES[i];
        }
        i += 1;
    }
    panic!("a message code without a template in message::TEMPLATES")
}

/// Whether `whole` is `start` followed by `end` (in a `const fn`).
const fn joined_equals(whole: &str, start: &str, end: &str) -> bool {
    let (whole, start, end) = (whole.as_bytes(), start.as_bytes(), end.as_bytes());
    if whole.len() != start.len() + end.len() {
        return false;
    }
    let mut i = 0;
    while i < whole.len() {
        let expected = if i < start.len() {
            start[i]
        } else {
            end[i - start.len()]
        };
        if whole[i] != expected {
            return false;
        }
        i += 1;
    }
    true
}

/// Replaces each `{name}` in `template` by its param (unknown names left as
/// written).
pub fn fill(template: &str, params: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let name = &after[..end];
        match params.get(name) {
            Some(value) => out.push_str(value),
            None => {
                out.push('{');
                out.push_str(name);
                out.push('}');
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The `{names}` of a template, in order.
pub fn places(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else {
            break;
        };
        out.push(&after[..end]);
        rest = &after[end + 1..];
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn codes_and_templates_are_unique() {
        let mut codes = BTreeSet::new();
        let mut texts = BTreeSet::new();
        for (code, template) in TEMPLATES {
            assert!(codes.insert(*code), "{code} is listed twice");
            // One sentence, one code: two codes with one text would be
            // translated twice, and could drift apart.
            assert!(
                texts.insert(*template),
                "{code}: {template:?} is listed twice"
            );
        }
    }

    #[test]
    fn codes_are_dotted_lowercase() {
        for (code, _) in TEMPLATES {
            assert!(
                code.split('.').all(|part| !part.is_empty()
                    && part
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')),
                "{code}"
            );
        }
    }

    #[test]
    fn every_place_is_well_formed() {
        for (code, template) in TEMPLATES {
            let opens = template.matches('{').count();
            let closes = template.matches('}').count();
            assert_eq!(opens, closes, "{code}: unbalanced braces");
            let names = places(template);
            assert_eq!(names.len(), opens, "{code}: a brace inside a place");
            for name in names {
                assert!(
                    !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                    "{code}: {{{name}}} is not a parameter name"
                );
            }
            assert_eq!(template.trim(), *template, "{code}: spaces around the text");
        }
    }

    #[test]
    fn english_fills_the_template() {
        let taken = Message::new("project.name.taken").with("name", "shop");
        assert_eq!(
            taken.english(),
            "A project named “shop” already exists. Choose another name."
        );
        assert_eq!(taken.to_string(), taken.english());
        let long = Message::new("text.too_long_counted")
            .with("max", 40)
            .with("length", 41);
        assert_eq!(
            long.english(),
            "Use at most 40 characters (this one has 41)."
        );
        assert_eq!(Message::new("name.required").english(), "Enter a name.");
        assert_eq!(Message::new("no.such.code").english(), "no.such.code");
        assert_eq!(
            Message::new("indices.overlap").english(),
            "Index {index} is listed twice.",
            "an unknown parameter stays as written"
        );
    }

    #[test]
    fn characters_are_named_as_people_would() {
        const LABEL: CharCodes = char_codes("name.char_invalid.label");
        assert_eq!(
            char_message(&LABEL, ' ').english(),
            "Use only lowercase letters, digits and hyphens; a space is not allowed."
        );
        assert_eq!(
            char_message(&LABEL, '_').english(),
            "Use only lowercase letters, digits and hyphens; “_” is not allowed."
        );
        assert_eq!(
            char_message(&LABEL, '\u{7}').english(),
            "Use only lowercase letters, digits and hyphens; the control character U+0007 is not allowed."
        );
        assert_eq!(
            char_message(&LABEL, '\u{7}').code,
            "name.char_invalid.label.control"
        );
    }

    #[test]
    fn a_message_known_when_compiling_is_the_one_looked_up() {
        let known = crate::message!("project.name.taken").with("name", "shop");
        let looked_up = Message::new("project.name.taken").with("name", "shop");
        assert_eq!(known, looked_up);
        assert_eq!(known.english(), looked_up.english());
        assert_eq!(
            entry("name.char_invalid", ".label"),
            (
                "name.char_invalid.label",
                template("name.char_invalid.label").unwrap_or("")
            )
        );
    }

    #[test]
    fn a_message_read_back_keeps_its_code_and_params() {
        let json = serde_json::json!({"code": "project.not_found", "params": {"name": "shop"}});
        let read: Message = serde_json::from_value(json).expect("parses");
        assert_eq!(read, Message::new("project.not_found").with("name", "shop"));
        // Its English came beside it (`detail`, `message`): none is made up.
        assert_eq!(read.english(), "project.not_found");
    }

    #[test]
    fn serialises_params_only_when_there_are_some() {
        let bare = serde_json::to_value(Message::new("name.required")).expect("serialises");
        assert_eq!(bare, serde_json::json!({"code": "name.required"}));
        let with = Message::new("project.not_found").with("name", "shop");
        let json = serde_json::to_value(&with).expect("serialises");
        assert_eq!(json["params"]["name"], "shop");
        let back: Message = serde_json::from_value(json).expect("parses");
        assert_eq!(back, with);
    }

    #[test]
    fn hints_are_the_constants() {
        assert_eq!(template("hint.project_name"), Some(PROJECT_NAME_RULE));
        assert_eq!(template("hint.object_name"), Some(OBJECT_NAME_RULE));
    }
}
