//! The frame around every page: a skip link, the header with the product
//! name and navigation, the `<main>` landmark, and a footer with the version.

use crate::router::use_path;
use berth_shared::UiConfig;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use super::{aria_bool, focus_by_id};
use crate::api;
use crate::api::SignedIn;
use crate::i18n::{self, Locale, t};
use crate::theme::ThemeChoice;

/// Sets `document.title`, so browser tabs, history and screen readers name
/// the page the person is on.
pub fn set_page_title(title: &str) {
    document().set_title(&format!("{title} · Berth"));
}

/// `aria-current` for the Projects link: `page` on the list itself (`/` or
/// `/projects`), `location` on a page inside it, nothing elsewhere.
fn projects_current(path: &str) -> Option<&'static str> {
    match path.trim_end_matches('/') {
        "" | "/projects" => Some("page"),
        p if p.starts_with("/projects/") => Some("location"),
        _ => None,
    }
}

/// The page frame. `config` is `None` until `/api/v1/config` answers (or if
/// it never does: the console still works, the footer just omits the version).
#[component]
pub fn Shell(config: ReadSignal<Option<UiConfig>>, children: Children) -> impl IntoView {
    let path = use_path();
    // After an in-app navigation, move focus to the new page's content so
    // keyboard and screen-reader users start there, as on a full page load.
    // Not on the first render: a fresh load already starts at the top.
    Effect::new(move |previous: Option<String>| {
        let path = path.get();
        if previous.is_some_and(|p| p != path) {
            focus_by_id("main");
        }
        path
    });
    view! {
        // The router would treat `#main` as a navigation and only scroll;
        // moving focus is what makes the skip link useful.
        <a
            class="skip-link"
            href="#main"
            on:click=|ev| {
                ev.prevent_default();
                focus_by_id("main");
            }
        >
            {t!("Skip to content")}
        </a>
        <header class="site-header">
            <div class="site-header__inner">
                <a href="/" class="brand">"Berth"</a>
                <nav aria-label=t!("Main")>
                    <ul class="nav-list">
                        <li>
                            // A plain <a>: the router still handles the click, and
                            // the current-page marking covers `/` as well.
                            <a href="/projects" aria-current=move || projects_current(&path.get())>
                                {t!("Projects")}
                            </a>
                        </li>
                    </ul>
                </nav>
                <UserMenu/>
            </div>
        </header>
        // tabindex=-1 lets the skip link (and page changes) move focus here.
        <main id="main" class="site-main" tabindex="-1">
            {children()}
        </main>
        <footer class="site-footer">
            <p>
                {move || match config.get() {
                    Some(c) => format!("Berth {}", c.version),
                    None => "Berth".to_owned(),
                }}
            </p>
        </footer>
    }
}

/// Who is signed in, the appearance, the language, the password and
/// signing out (only while signed in with a cookie: a portal's token is the
/// portal's to end). Wide screens show it all in the header's row; on a
/// phone it folds behind one "Menu" button (a disclosure that opens as a
/// panel under it), so the header stays one row above every page.
#[component]
fn UserMenu() -> impl IntoView {
    let signed_in = expect_context::<RwSignal<SignedIn>>();
    let pending = RwSignal::new(false);
    let open = RwSignal::new(false);
    let menu = NodeRef::<leptos::html::Div>::new();
    let toggle = NodeRef::<leptos::html::Button>::new();
    let sign_out = move |_| {
        // Folded for whoever signs in next on this page.
        open.set(false);
        pending.set(true);
        spawn_local(async move {
            // Whatever the answer, this browser's session is over for the
            // person: the cookie is gone or worthless.
            let _ = api::sign_out().await;
            pending.set(false);
            signed_in.set(SignedIn::No);
        });
    };
    // Escape folds it and gives focus back to the button, as a popup should.
    let close_on_escape = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" && open.get_untracked() {
            open.set(false);
            if let Some(button) = toggle.get_untracked() {
                let _ = button.focus();
            }
        }
    };
    // Focus moving elsewhere (Tab past its end) or a click elsewhere folds
    // it: an open panel would otherwise cover the page the person went on to.
    let inside = move |target: Option<web_sys::EventTarget>| {
        let node = target.and_then(|t| t.dyn_into::<web_sys::Node>().ok());
        match (menu.get_untracked(), node) {
            (Some(menu), Some(node)) => menu.contains(Some(&node)),
            _ => false,
        }
    };
    let close_on_focus_out = move |ev: leptos::ev::FocusEvent| {
        // No related target: the focus went nowhere (a click on plain text
        // inside); the click handler below decides.
        if ev.related_target().is_some() && !inside(ev.related_target()) {
            open.set(false);
        }
    };
    let outside_click = window_event_listener(leptos::ev::click, move |ev| {
        if open.get_untracked() && !inside(ev.target()) {
            open.set(false);
        }
    });
    on_cleanup(move || outside_click.remove());
    // A link in it ("Change password") leads to another page: fold it there.
    let path = use_path();
    Effect::new(move |_| {
        path.track();
        open.set(false);
    });
    move || match &*signed_in.read() {
        SignedIn::Yes(session) => {
            let who = session.display_name.clone();
            let can_sign_out = session.via == "session";
            view! {
                <div class="user-menu" class:user-menu--open=move || open.get() node_ref=menu
                    on:keydown=close_on_escape on:focusout=close_on_focus_out>
                    <button type="button" node_ref=toggle class="button button--secondary user-menu__toggle"
                        aria-expanded=move || aria_bool(open.get()) aria-controls="user-menu-panel"
                        on:click=move |_| open.update(|o| *o = !*o)>
                        {t!("Menu")}<span class="user-menu__chevron" aria-hidden="true"></span>
                    </button>
                    <div id="user-menu-panel" class="user-menu__panel">
                        <span class="user-menu__name">{t!("Signed in as")} " " <strong>{who}</strong></span>
                        <ThemeChoice/>
                        <LanguageChoice/>
                        {can_sign_out.then(|| view! {
                            <a href="/account/password">{t!("Change password")}</a>
                            <button type="button" class="button button--secondary" disabled=move || pending.get() on:click=sign_out>
                                {t!("Sign out")}
                            </button>
                        })}
                    </div>
                </div>
            }
            .into_any()
        }
        _ => ().into_any(),
    }
}

/// The user menu's language choice: the portal's or the browser's language
/// by default, or one the person picks (remembered on this device).
#[component]
fn LanguageChoice() -> impl IntoView {
    let chosen = i18n::chosen();
    view! {
        <label class="theme-choice">
            <span>{t!("Language")}</span>
            <select on:change=move |ev| i18n::choose(Locale::from_tag(&event_target_value(&ev)))>
                <option value="" selected=chosen.is_none()>{t!("Same as this browser")}</option>
                {Locale::ALL
                    .into_iter()
                    .map(|l| view! {
                        // Each language in its own words, marked as such for screen readers.
                        <option value=l.tag() lang=l.tag() selected=chosen == Some(l)>{l.name()}</option>
                    })
                    .collect_view()}
            </select>
        </label>
    }
}

#[cfg(test)]
mod tests {
    use super::projects_current;

    #[test]
    fn projects_link_is_current_on_the_list_and_inside_it() {
        assert_eq!(projects_current("/"), Some("page"));
        assert_eq!(projects_current("/projects"), Some("page"));
        assert_eq!(projects_current("/projects/"), Some("page"));
        assert_eq!(projects_current("/projects/shop"), Some("location"));
        assert_eq!(projects_current("/projectsx"), None);
        assert_eq!(projects_current("/elsewhere"), None);
    }
}
