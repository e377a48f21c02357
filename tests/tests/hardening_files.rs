//! Berth's data directory is for its owner only: a new one is 0700 with
//! every file in it 0600 (the store holds every Secret), and an existing one
//! that other accounts can read is reported at start.

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use berth_tests::{BerthProcess, StartOptions};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777
}

/// Every folder and file under `dir`, with its mode.
fn modes_under(dir: &Path, found: &mut Vec<(String, u32, bool)>) {
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        let is_dir = path.is_dir();
        found.push((path.display().to_string(), mode(&path), is_dir));
        if is_dir {
            modes_under(&path, found);
        }
    }
}

#[tokio::test]
async fn a_new_data_directory_and_its_files_are_private() {
    let parent = tempfile::tempdir().expect("tmp");
    let data = parent.path().join("berth-data");
    let berth = BerthProcess::start_with(StartOptions {
        data_dir: Some(data.clone()),
        ..StartOptions::default()
    })
    .await
    .expect("start");
    // Something stored: the administrator's account and session exist.
    assert!(
        berth
            .http()
            .get(berth.at("/api/v1/projects"))
            .send()
            .await
            .expect("get")
            .status()
            .is_success()
    );

    assert_eq!(mode(&data), 0o700, "the data directory");
    assert_eq!(mode(&data.join("cluster.redb")), 0o600, "the store");
    let mut found = Vec::new();
    modes_under(&data, &mut found);
    for (path, mode, is_dir) in &found {
        let want = if *is_dir { 0o700 } else { 0o600 };
        assert_eq!(*mode, want, "{path} is {mode:o}");
    }
    assert!(
        !berth.logs().contains("other accounts on this machine"),
        "no warning for a private directory"
    );
}

#[tokio::test]
async fn an_existing_directory_others_can_read_is_reported() {
    let parent = tempfile::tempdir().expect("tmp");
    let data = parent.path().join("shared-data");
    std::fs::create_dir(&data).expect("mkdir");
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let berth = BerthProcess::start_with(StartOptions {
        data_dir: Some(data.clone()),
        ..StartOptions::default()
    })
    .await
    .expect("start");
    assert!(
        berth
            .wait_for_log("other accounts on this machine can read")
            .await,
        "warned:\n{}",
        berth.logs()
    );
    // Berth does not change a folder the operator made.
    assert_eq!(mode(&data), 0o755);
    assert_eq!(mode(&data.join("cluster.redb")), 0o600, "the store it made");
}
