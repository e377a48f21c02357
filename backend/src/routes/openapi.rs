//! `GET /api/openapi.json`: the API described in OpenAPI 3.1, generated
//! from the handlers' `#[utoipa::path]` annotations and the request and
//! response types (which derive `utoipa::ToSchema`, in `shared/` behind its
//! `openapi` feature). The router registers each handler with
//! `utoipa_axum::routes!`, so a route cannot be served without being
//! described; the routes written once for every kind of project data are
//! described here, from the kind.

use std::sync::Arc;

use axum::Extension;
use axum::http::header;
use axum::response::IntoResponse;
use berth_shared::{FieldError, Problem};
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
use utoipa::openapi::{
    Content, Header, PathItem, Paths, Ref, RefOr, Required, ResponseBuilder, Schema,
};
use utoipa::{OpenApi, ToSchema};

use crate::kinds::Kind;

/// Where the API is mounted; the handlers' paths are relative to it.
pub const PREFIX: &str = "/api";

/// The parts of the description no handler carries.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Berth API",
        description = "Projects, registry credentials, image pointers and job templates on \
            Kubernetes. Sign in with POST /api/v1/session; changes made with the session cookie \
            carry its CSRF token in `X-CSRF-Token` and the console's `Origin`. Every error is an \
            RFC 9457 problem (`application/problem+json`).",
    ),
    components(schemas(Problem, FieldError)),
    tags(
        (name = "session", description = "Signing in and out"),
        (name = "users", description = "Local accounts (administrators)"),
        (name = "projects", description = "Projects, their members, activity and inventory"),
        (name = "data", description = "Each kind of project data"),
        (name = "job-runs", description = "Runs of job templates: status, live events, logs"),
        (name = "meta", description = "What the console and API clients read first"),
    )
)]
pub struct ApiDoc;

/// The document as served: paths under [`PREFIX`], and every operation
/// answering a problem body for any status it does not list.
pub fn finish(mut doc: utoipa::openapi::OpenApi) -> anyhow::Result<Document> {
    let paths = std::mem::take(&mut doc.paths.paths);
    for (path, mut item) in paths {
        for operation in operations(&mut item) {
            operation
                .responses
                .responses
                .entry("default".to_owned())
                .or_insert_with(|| problem_response().into());
        }
        doc.paths.paths.insert(format!("{PREFIX}{path}"), item);
    }
    Ok(Document(Arc::from(doc.to_json()?)))
}

/// Every operation of a path item.
fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut utoipa::openapi::path::Operation> {
    [
        item.get.as_mut(),
        item.put.as_mut(),
        item.post.as_mut(),
        item.delete.as_mut(),
        item.patch.as_mut(),
        item.head.as_mut(),
        item.options.as_mut(),
        item.trace.as_mut(),
    ]
    .into_iter()
    .flatten()
}

/// "Anything else": a problem body.
fn problem_response() -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(
            "A problem (RFC 9457): 400 a request that cannot be read, 401 not signed in, \
             403 not allowed, 404 nothing here (or not yours to see), 409 a conflict, \
             422 refused fields (`errors`), 502 a registry, 503 storage unavailable.",
        )
        .content(
            "application/problem+json",
            Content::new(Some(Ref::from_schema_name("Problem"))),
        )
        .build()
}

/// The JSON of the document, handed to its route.
#[derive(Clone)]
pub struct Document(Arc<str>);

/// `GET /api/openapi.json`.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "meta",
    operation_id = "openapi",
    responses((status = 200, description = "This document (OpenAPI 3.1)", body = Object)),
)]
pub async fn document(Extension(Document(json)): Extension<Document>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        json.to_string(),
    )
}

/// How a kind of project data is described: the schemas of what its
/// routes answer and take (the same JSON as its service's types).
pub trait Described {
    type View: ToSchema;
    type Body: ToSchema;
}

/// The schema named `T` and every schema it refers to.
fn schemas_of<T: ToSchema>(into: &mut Vec<(String, RefOr<Schema>)>) {
    into.push((T::name().into_owned(), T::schema()));
    T::schemas(into);
}

/// The description of `GET|POST …/{segment}` and
/// `GET|PUT|DELETE …/{segment}/{name}` for one kind, as
/// `utoipa_axum`'s router takes it: schemas, collection paths, item paths.
pub fn collection<D: Described>(kind: &Kind) -> (Vec<(String, RefOr<Schema>)>, Paths, Paths) {
    let mut schemas = Vec::new();
    schemas_of::<D::View>(&mut schemas);
    schemas_of::<D::Body>(&mut schemas);
    let view = D::View::name();
    let body = D::Body::name();
    let segment = kind.segment;
    let id = segment.replace('-', "_");
    let base = format!("/v1/projects/{{project}}/{segment}");
    let item_path = format!("{base}/{{name}}");
    let json = |schema: RefOr<Schema>| Content::new(Some(schema));
    let one = || json(Ref::from_schema_name(view.clone()).into());
    let list = ObjectBuilder::new()
        .schema_type(Type::Object)
        .property(
            "items",
            ArrayBuilder::new().items(Ref::from_schema_name(view.clone())),
        )
        .required("items")
        .build();
    let sent = || {
        RequestBodyBuilder::new()
            .content(
                "application/json",
                json(Ref::from_schema_name(body.clone()).into()),
            )
            .required(Some(Required::True))
            .build()
    };
    let etag = || Header::new(ObjectBuilder::new().schema_type(Type::String));
    let with_view = |what: &str| {
        ResponseBuilder::new()
            .description(what)
            .content("application/json", one())
            .header("ETag", etag())
    };
    let operation = |verb: &str, summary: String| {
        OperationBuilder::new()
            .operation_id(Some(format!("{verb}_{id}")))
            .tag("data")
            .summary(Some(summary))
            .parameter(path_parameter("project", "The project's name"))
    };
    let name = || path_parameter("name", "The object's name");
    let collection = Paths::builder()
        .path(
            base,
            PathItem::builder()
                .operation(
                    HttpMethod::Get,
                    operation("list", format!("Every {} of the project", kind.noun)).response(
                        "200",
                        ResponseBuilder::new()
                            .description("All of them")
                            .content("application/json", json(list.into())),
                    ),
                )
                .operation(
                    HttpMethod::Post,
                    operation("create", format!("Create {} {}", kind.article, kind.noun))
                        .request_body(Some(sent()))
                        .response(
                            "201",
                            with_view("Created").header(
                                "Location",
                                Header::new(ObjectBuilder::new().schema_type(Type::String)),
                            ),
                        ),
                )
                .build(),
        )
        .build();
    let item = Paths::builder()
        .path(
            item_path,
            PathItem::builder()
                .operation(
                    HttpMethod::Get,
                    operation("read", format!("One {}", kind.noun))
                        .parameter(name())
                        .response("200", with_view("It, with its version as ETag")),
                )
                .operation(
                    HttpMethod::Put,
                    operation("replace", format!("Replace {} {}", kind.article, kind.noun))
                        .parameter(name())
                        .parameter(
                            ParameterBuilder::new()
                                .name("If-Match")
                                .parameter_in(ParameterIn::Header)
                                .required(Required::False)
                                .description(Some(
                                    "The version it replaces (its ETag); a stale one is a 409",
                                ))
                                .schema(Some(ObjectBuilder::new().schema_type(Type::String))),
                        )
                        .request_body(Some(sent()))
                        .response("200", with_view("Replaced")),
                )
                .operation(
                    HttpMethod::Delete,
                    operation("delete", format!("Delete {} {}", kind.article, kind.noun))
                        .parameter(name())
                        .parameter(
                            ParameterBuilder::new()
                                .name("force")
                                .parameter_in(ParameterIn::Query)
                                .required(Required::False)
                                .description(Some("Delete even while other objects use it"))
                                .schema(Some(ObjectBuilder::new().schema_type(Type::Boolean))),
                        )
                        .response("204", ResponseBuilder::new().description("Deleted")),
                )
                .build(),
        )
        .build();
    (schemas, collection, item)
}

/// A required path parameter of type string.
fn path_parameter(name: &str, description: &str) -> ParameterBuilder {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .description(Some(description))
        .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
}
