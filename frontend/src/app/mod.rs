//! The application root: reads the public config once, finds out who is
//! signed in, draws the shell and shows the page of the current address
//! (or the sign-in form).

use berth_shared::UiConfig;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError, SignedIn};
use crate::components::{ErrorPanel, Loading, Shell, provide_notice};
use crate::embed;
use crate::features::{NotFoundPage, ProjectsPage};
use crate::i18n::{self, t};
use on_demand::{OnDemandPage, Page};
mod on_demand;

use crate::router::{Route, navigator, provide_location, use_path};

/// The whole console.
#[component]
pub fn App() -> impl IntoView {
    // Config is read once and shared; pages that need it later (auth mode,
    // portal origins) take it from context instead of fetching it again.
    let (config, set_config) = signal(None::<UiConfig>);
    provide_context(config);
    spawn_local(async move {
        // Without config the console still works; the footer omits the version.
        if let Ok(c) = api::get_config().await {
            set_config.set(Some(c));
        }
    });

    provide_notice();
    let signed_in = RwSignal::new(SignedIn::Checking);
    provide_context(signed_in);
    let check = move || {
        let had_token = api::has_bearer_token();
        spawn_local(async move {
            let result = api::get_session().await;
            // A portal's token arrived meanwhile: its own check decides.
            if !had_token && api::has_bearer_token() {
                return;
            }
            signed_in.set(match result {
                Ok(session) => SignedIn::Yes(session),
                Err(e) if e.status() == Some(401) => SignedIn::No,
                Err(e) => SignedIn::Unknown(e),
            });
        });
    };
    check();
    api::on_signed_out(move || {
        if api::has_bearer_token() {
            embed::post(&embed::ToPortal::SessionExpired);
        }
        signed_in.set(SignedIn::No);
    });

    provide_location();
    let path = use_path();
    // Inside a portal's iframe: take its token, theme and navigation, and
    // tell it where the person is.
    let navigate = navigator();
    Effect::new(move |started: Option<bool>| {
        if started == Some(true) {
            return true;
        }
        let Some(origins) = config.with(|c| c.as_ref().map(|c| c.allowed_portal_origins.clone()))
        else {
            return false;
        };
        let navigate = navigate.clone();
        embed::start(
            origins,
            move |token| {
                api::use_bearer_token(token);
                check();
            },
            move |target| navigate(target),
        );
        true
    });
    Effect::new(move |before: Option<()>| {
        let now = path.get();
        if before.is_some() {
            // Asked for the page the console opened on: stale for later ones.
            api::forget_early_answers();
        }
        if embed::framed() {
            embed::post(&embed::ToPortal::Navigated { path: now });
        }
    });
    // A memo, so a page is drawn anew only when the route changes, not on
    // every change of the address (another project's page of the same kind).
    let route = Memo::new(move |_| Route::parse(&path.read()));
    // Only a change of *state* redraws: a renewed session keeps the page.
    let state = Memo::new(move |_| match &*signed_in.read() {
        SignedIn::Checking => 0,
        SignedIn::No => 1,
        SignedIn::Unknown(_) => 2,
        SignedIn::Yes(s) if s.password_change_required => 3,
        SignedIn::Yes(_) => 4,
    });

    // A new language redraws everything below here (the strings are not
    // reactive themselves); who is signed in and the config stay.
    let language = i18n::language();
    move || {
        language.track();
        view! {
        <Shell config=config>
            {move || match state.get() {
                0 => view! { <Loading message=t!("Loading Berth")/> }.into_any(),
                1 => view! { <OnDemandPage page=Page::SignIn/> }.into_any(),
                2 => {
                    let error = match signed_in.get_untracked() {
                        SignedIn::Unknown(e) => e,
                        _ => ApiError::Network,
                    };
                    view! {
                        <ErrorPanel heading=t!("Berth could not be reached.") error=error on_retry=Callback::new(move |()| check())/>
                    }
                    .into_any()
                }
                3 => view! { <OnDemandPage page=Page::FirstPassword/> }.into_any(),
                _ => view! { {move || page(route.get())} }.into_any(),
            }}
        </Shell>
        }
    }
}

/// The landing page and the not-found page are in the main wasm; every other
/// page is fetched when first shown (app/on_demand.rs).
fn page(route: Route) -> AnyView {
    match route {
        Route::Projects => view! { <ProjectsPage/> }.into_any(),
        Route::NotFound => view! { <NotFoundPage/> }.into_any(),
        other => view! { <OnDemandPage page=Page::At(other)/> }.into_any(),
    }
}
