//! The routes of every kind of project data, written once:
//! `GET|POST …/{segment}` and `GET|PUT|DELETE …/{segment}/{name}`, with the
//! object's version as `ETag` and `If-Match` guarding a replacement.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRef, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use berth_shared::Message;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;

use super::actor::Actor;
use super::openapi::{self, Described};
use super::scope::ProjectScope;
use super::versioned::{if_match, with_etag};
use crate::error::ApiError;
use crate::services::collection::Collection;
use crate::services::credentials::CredentialService;
use crate::services::images::ImageService;
use crate::services::job_templates::JobTemplateService;
use crate::state::AppState;

/// The body of a list: `{"items": […]}`.
#[derive(Serialize)]
struct Items<T> {
    items: Vec<T>,
}

#[derive(Debug, Default, Deserialize)]
struct DeleteQuery {
    #[serde(default)]
    force: bool,
}

/// `router` with the routes of collection `C`, described in the API
/// document by [`Described`].
pub fn routes<C>(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState>
where
    C: Collection + Described + FromRef<AppState>,
{
    let (schemas, collection, item) = openapi::collection::<C>(C::KIND);
    router
        .routes((schemas, collection, get(list::<C>).post(create::<C>)))
        .routes((
            Vec::new(),
            item,
            get(read::<C>).put(replace::<C>).delete(delete::<C>),
        ))
}

impl Described for CredentialService {
    type View = berth_shared::RegistryCredential;
    /// The service reads it into a type that keeps the secret secret; the
    /// JSON is the same.
    type Body = berth_shared::SaveRegistryCredential;
}

impl Described for ImageService {
    type View = berth_shared::ImagePointer;
    type Body = berth_shared::SaveImagePointer;
}

impl Described for JobTemplateService {
    type View = berth_shared::JobTemplate;
    type Body = berth_shared::SaveJobTemplate;
}

/// The body, or a problem that quotes it only for kinds without secrets.
fn body<C: Collection>(body: Result<Json<C::Body>, JsonRejection>) -> Result<C::Body, ApiError> {
    match body {
        Ok(Json(body)) => Ok(body),
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            Err(ApiError::PayloadTooLarge)
        }
        Err(rejection) => Err(match C::KIND.body_hint {
            Some(hint) => ApiError::BadRequest(Message::new(hint)),
            None => rejection.into(),
        }),
    }
}

/// What every view carries: its name and version.
#[derive(Deserialize)]
struct Key {
    name: String,
    version: String,
}

/// `view` with its version as `ETag`; with a scope, the `Location` of the
/// object just created in it.
fn answer<C: Collection>(
    status: StatusCode,
    view: &C::View,
    created_in: Option<&ProjectScope>,
) -> Result<Response, ApiError> {
    let key: Key = serde_json::to_value(view)
        .and_then(serde_json::from_value)
        .map_err(|e| ApiError::Internal(e.into()))?;
    let location = created_in.map(|scope| {
        format!(
            "/api/v1/projects/{}/{}/{}",
            scope.project,
            C::KIND.segment,
            key.name
        )
    });
    Ok(with_etag(status, view, &key.version, location))
}

async fn list<C: Collection + FromRef<AppState>>(
    State(service): State<C>,
    scope: ProjectScope,
) -> Result<Json<Items<C::View>>, ApiError> {
    let items = service.list(&scope.namespace).await?;
    Ok(Json(Items { items }))
}

async fn read<C: Collection + FromRef<AppState>>(
    State(service): State<C>,
    scope: ProjectScope,
    Path((_, name)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let view = service.get(&scope.namespace, &name).await?;
    answer::<C>(StatusCode::OK, &view, None)
}

async fn create<C: Collection + FromRef<AppState>>(
    State(service): State<C>,
    scope: ProjectScope,
    actor: Actor,
    sent: Result<Json<C::Body>, JsonRejection>,
) -> Result<Response, ApiError> {
    let view = service
        .create(&scope.namespace, body::<C>(sent)?, &actor.name)
        .await?;
    answer::<C>(StatusCode::CREATED, &view, Some(&scope))
}

async fn replace<C: Collection + FromRef<AppState>>(
    State(service): State<C>,
    scope: ProjectScope,
    Path((_, name)): Path<(String, String)>,
    actor: Actor,
    headers: HeaderMap,
    sent: Result<Json<C::Body>, JsonRejection>,
) -> Result<Response, ApiError> {
    let body = body::<C>(sent)?;
    let view = service
        .replace(
            &scope.namespace,
            &name,
            body,
            if_match(&headers),
            &actor.name,
        )
        .await?;
    answer::<C>(StatusCode::OK, &view, None)
}

async fn delete<C: Collection + FromRef<AppState>>(
    State(service): State<C>,
    scope: ProjectScope,
    Path((_, name)): Path<(String, String)>,
    Query(query): Query<DeleteQuery>,
) -> Result<StatusCode, ApiError> {
    service.delete(&scope.namespace, &name, query.force).await?;
    Ok(StatusCode::NO_CONTENT)
}
