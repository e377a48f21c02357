//! The last administrator cannot be removed, even by two administrators
//! removing each other at the same moment.

use berth_tests::{BerthProcess, SignedIn};
use reqwest::StatusCode;

/// A new administrator, made by `by`, signed in with its own password.
async fn add_admin(berth: &BerthProcess, by: &SignedIn, name: &str) -> SignedIn {
    let once = format!("{name} one-time password");
    let created = by
        .client
        .post(berth.at("/api/v1/users"))
        .json(&serde_json::json!({ "name": name, "password": once, "admin": true }))
        .send()
        .await
        .expect("create");
    assert_eq!(created.status(), StatusCode::CREATED, "creating {name}");
    let first = berth.sign_in(name, &once).await.expect("sign in");
    first
        .change_password(berth, &once, &format!("{name} own password"))
        .await
        .expect("own password")
}

async fn admins(berth: &BerthProcess, by: &SignedIn) -> Vec<String> {
    let list: serde_json::Value = by
        .client
        .get(berth.at("/api/v1/users"))
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|u| u["admin"] == true)
        .filter_map(|u| u["name"].as_str().map(str::to_owned))
        .collect()
}

async fn remove(berth: &BerthProcess, by: &SignedIn, name: &str) -> StatusCode {
    by.client
        .delete(berth.at(&format!("/api/v1/users/{name}")))
        .send()
        .await
        .expect("delete")
        .status()
}

#[tokio::test]
async fn two_administrators_removing_each_other_leave_one() {
    let berth = BerthProcess::start().await.expect("start");
    let mut survivor = berth
        .sign_in("admin", berth_tests::ADMIN_PASSWORD)
        .await
        .expect("admin");
    // Several rounds: the race goes a different way each time.
    for round in 0..6 {
        let other = add_admin(&berth, &survivor, &format!("second-{round}")).await;
        let (a, b) = tokio::join!(
            remove(&berth, &survivor, &other.user),
            remove(&berth, &other, &survivor.user),
        );
        let left = admins(
            &berth,
            if a == StatusCode::NO_CONTENT {
                &survivor
            } else {
                &other
            },
        )
        .await;
        assert_eq!(left.len(), 1, "round {round}: {a} and {b} left {left:?}");
        assert!(
            !(a == StatusCode::NO_CONTENT && b == StatusCode::NO_CONTENT),
            "round {round}: both removals answered 204"
        );
        survivor = if left[0] == other.user {
            other
        } else {
            survivor
        };
    }

    // Alone, the last administrator cannot remove itself either.
    let last = remove(&berth, &survivor, &survivor.user).await;
    assert_eq!(last, StatusCode::CONFLICT);
    assert_eq!(admins(&berth, &survivor).await, vec![survivor.user.clone()]);
}
