//! The frame around every page: a skip link, the header with the product
//! name and navigation, the `<main>` landmark, and a footer with the version.

use berth_shared::UiConfig;
use leptos::prelude::*;
use leptos_router::components::A;

/// Sets `document.title`, so browser tabs, history and screen readers name
/// the page the person is on.
pub fn set_page_title(title: &str) {
    document().set_title(&format!("{title} · Berth"));
}

/// The page frame. `config` is `None` until `/api/v1/config` answers (or if
/// it never does: the console still works, the footer just omits the version).
#[component]
pub fn Shell(config: ReadSignal<Option<UiConfig>>, children: Children) -> impl IntoView {
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="site-header">
            <div class="site-header__inner">
                <A href="/" attr:class="brand">"Berth"</A>
                <nav aria-label="Main">
                    <ul class="nav-list">
                        <li>
                            <A href="/projects">"Projects"</A>
                        </li>
                    </ul>
                </nav>
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
