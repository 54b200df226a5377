//! Every served RPC's success and failure answers on a generated demo database, checked against the
//! catalogue records, over real loopback TCP with the plain generated client.

use std::collections::HashSet;

use osirix_emulator::Class;
use osirix_emulator::proto::{self, Empty};
use osirix_emulator::testing::*;
use osirix_emulator::{DEFAULT_BUNDLE_NAME, DEFAULT_VERSION, ObjectRef};

#[tokio::test]
async fn osirix_top_level_rpcs() {
    let Fixture {
        emulator: emu,
        mut client,
        dir: _dir,
    } = Fixture::demo().await;
    let browser = client
        .osirix_current_browser(Empty {})
        .await
        .expect("rpc")
        .into_inner();
    assert_ok(&browser.status);
    let uid = browser.browser_controller.expect("handle").osirixrpc_uid;
    assert_eq!(uid.len(), 36);
    assert_eq!(Some(uid.clone()), emu.browser_uid());
    assert_eq!(uid, emu.catalog().browser_uid());
    // The same uid every time.
    let again = client
        .osirix_current_browser(Empty {})
        .await
        .expect("rpc")
        .into_inner();
    assert_eq!(again.browser_controller.expect("handle").osirixrpc_uid, uid);

    let version = client
        .osirix_version(Empty {})
        .await
        .expect("rpc")
        .into_inner();
    assert_ok(&version.status);
    assert_eq!(
        (version.version.as_str(), version.bundle_name.as_str()),
        (DEFAULT_VERSION, DEFAULT_BUNDLE_NAME)
    );

    let viewer = client
        .osirix_frontmost_viewer(Empty {})
        .await
        .expect("rpc")
        .into_inner();
    assert_failed(&viewer.status, "No ViewerController active");
    assert!(viewer.viewer_controller.is_none());
    let vr = client
        .osirix_frontmost_vr_controller(Empty {})
        .await
        .expect("rpc")
        .into_inner();
    assert_failed(&vr.status, "No VRController active");
    let viewers = client
        .osirix_displayed2_d_viewers(Empty {})
        .await
        .expect("rpc")
        .into_inner();
    assert_ok(&viewers.status);
    assert!(viewers.viewer_controllers.is_empty());
    let vrs = client
        .osirix_displayed_vr_controllers(Empty {})
        .await
        .expect("rpc")
        .into_inner();
    assert_ok(&vrs.status);
    assert!(vrs.vr_controllers.is_empty());
}

#[tokio::test]
async fn version_is_configurable() {
    let spec = osirix_emulator::demo::DemoSpec {
        studies: 1,
        series_per_study: 1,
        images_per_series: 1,
        seed: 9,
        ..osirix_emulator::demo::DemoSpec::DEFAULT
    };
    let Fixture {
        mut client,
        emulator: _emu,
        dir: _dir,
    } = Fixture::demo_with(spec, |b| b.version("13.0.2").bundle_name("OsiriX Lite")).await;
    let version = client
        .osirix_version(Empty {})
        .await
        .expect("rpc")
        .into_inner();
    assert_eq!(
        (version.version.as_str(), version.bundle_name.as_str()),
        ("13.0.2", "OsiriX Lite")
    );
}

#[tokio::test]
async fn cache_rpcs_list_and_classify_every_object() {
    let Fixture {
        emulator: emu,
        mut client,
        dir: _dir,
    } = Fixture::demo().await;
    let catalog = emu.catalog().clone();
    let uids = client
        .osirix_cache_uids(Empty {})
        .await
        .expect("rpc")
        .into_inner();
    assert_ok(&uids.status);
    let listed: HashSet<String> = uids.uids.into_iter().collect();
    let mut expected: HashSet<String> = HashSet::from([catalog.browser_uid().to_owned()]);
    expected.extend(catalog.studies().iter().map(|s| s.uid.clone()));
    expected.extend(catalog.series().iter().map(|s| s.uid.clone()));
    expected.extend(catalog.images().iter().map(|s| s.uid.clone()));
    assert_eq!(listed, expected);

    let kind = |uid: &str| {
        let mut client = client.clone();
        let uid = uid.to_owned();
        async move {
            let r = client
                .osirix_cache_object_for_uid(proto::OsirixCacheObjectForUidRequest { uid })
                .await
                .expect("rpc")
                .into_inner();
            assert_ok(&r.status);
            r.object_type
        }
    };
    assert_eq!(kind(catalog.browser_uid()).await, "BrowserController");
    assert_eq!(kind(&catalog.studies()[0].uid).await, "DicomStudy");
    assert_eq!(kind(&catalog.series()[0].uid).await, "DicomSeries");
    assert_eq!(kind(&catalog.images()[0].uid).await, "DicomImage");
    assert_eq!(
        kind("00000000-0000-4000-8000-000000000000").await,
        "no object"
    );
    assert_eq!(kind("").await, "no object");
}

#[tokio::test]
async fn browser_studies_and_selection() {
    let Fixture {
        emulator: emu,
        mut client,
        dir: _dir,
    } = Fixture::demo().await;
    let b = browser(emu.browser_uid().expect("browser"));
    let studies = client
        .browser_controller_database_studies(b.clone())
        .await
        .expect("rpc")
        .into_inner();
    assert_ok(&studies.status);
    let uids: Vec<String> = studies
        .studies
        .into_iter()
        .map(|s| s.osirixrpc_uid)
        .collect();
    let expected: Vec<String> = (0..emu.catalog().studies().len())
        .map(|i| emu.uid_of_study(i).expect("uid"))
        .collect();
    assert_eq!(
        uids, expected,
        "display order is the catalogue's study order"
    );

    let selection = client
        .browser_controller_database_selection(b.clone())
        .await
        .expect("rpc")
        .into_inner();
    assert_ok(&selection.status);
    assert!(selection.series.is_empty() && selection.studies.is_empty());

    let series_sel = vec![
        emu.uid_of_series(3).expect("uid"),
        emu.uid_of_series(0).expect("uid"),
    ];
    let study_sel = vec![emu.uid_of_study(2).expect("uid")];
    emu.set_selection(series_sel.clone(), study_sel.clone())
        .expect("valid selection");
    let selection = client
        .browser_controller_database_selection(b)
        .await
        .expect("rpc")
        .into_inner();
    assert_ok(&selection.status);
    assert_eq!(
        selection
            .series
            .into_iter()
            .map(|s| s.osirixrpc_uid)
            .collect::<Vec<_>>(),
        series_sel
    );
    assert_eq!(
        selection
            .studies
            .into_iter()
            .map(|s| s.osirixrpc_uid)
            .collect::<Vec<_>>(),
        study_sel
    );

    // A uid of the wrong class is refused and changes nothing.
    assert!(
        emu.set_selection(vec![emu.uid_of_study(0).expect("uid")], vec![])
            .is_err()
    );
    assert!(emu.set_selection(vec![], vec!["nope".into()]).is_err());
}

#[tokio::test]
async fn browser_rpcs_fail_for_unknown_handles() {
    let Fixture {
        emulator: emu,
        mut client,
        dir: _dir,
    } = Fixture::demo().await;
    for uid in ["", "garbage", "00000000-0000-4000-8000-000000000000"] {
        assert_all_not_cached(
            &statuses(&mut client, Class::BrowserController, uid).await,
            Class::BrowserController,
        );
    }
    let other = emu.uid_of_study(0).expect("uid");
    assert_all_not_cached(
        &statuses(&mut client, Class::BrowserController, &other).await,
        Class::BrowserController,
    );
}

#[tokio::test]
async fn study_rpcs_report_the_catalogue() {
    let Fixture {
        emulator: emu,
        mut client,
        dir: _dir,
    } = Fixture::demo().await;
    let catalog = emu.catalog().clone();
    assert!(
        catalog
            .studies()
            .iter()
            .any(|s| s.performing_physician.is_none())
    );
    assert!(
        catalog
            .studies()
            .iter()
            .any(|s| s.performing_physician.is_some())
    );
    for (i, rec) in catalog.studies().iter().enumerate() {
        let h = study(emu.uid_of_study(i).expect("uid"));
        macro_rules! text {
            ($rpc:ident, $field:ident, $value:expr, $missing:literal) => {{
                let r = client.$rpc(h.clone()).await.expect("rpc").into_inner();
                match $value {
                    Some(v) => {
                        assert_ok(&r.status);
                        assert_eq!(&r.$field, v, stringify!($rpc));
                    }
                    None => {
                        assert_failed(&r.status, $missing);
                        assert_eq!(r.$field, "");
                    }
                }
            }};
        }
        text!(
            dicom_study_name,
            name,
            rec.patient_name.as_ref(),
            "Study name not available"
        );
        text!(
            dicom_study_study_name,
            study_name,
            rec.study_name.as_ref(),
            "Study name not available"
        );
        text!(
            dicom_study_patient_id,
            patient_id,
            rec.patient_id.as_ref(),
            "Patient ID not available"
        );
        text!(
            dicom_study_patient_uid,
            patient_uid,
            rec.patient_uid.as_ref(),
            "Patient UID not available"
        );
        text!(
            dicom_study_patient_sex,
            patient_sex,
            rec.patient_sex.as_ref(),
            "Patient sex not available"
        );
        text!(
            dicom_study_institution_name,
            institution_name,
            rec.institution_name.as_ref(),
            "Institution name not available"
        );
        text!(
            dicom_study_modality,
            modality,
            rec.modality.as_ref(),
            "Modality not available"
        );
        text!(
            dicom_study_modalities,
            modalities,
            rec.modalities.as_ref(),
            "Modalities not available"
        );
        text!(
            dicom_study_performing_physician,
            performing_physician,
            rec.performing_physician.as_ref(),
            "Performing physician not available"
        );
        text!(
            dicom_study_referring_physician,
            referring_physician,
            rec.referring_physician.as_ref(),
            "Referring physician not available"
        );
        text!(
            dicom_study_study_instance_uid,
            study_instance_uid,
            Some(&rec.study_instance_uid),
            "Study instance UID not available"
        );

        let name = rec
            .study_name
            .as_ref()
            .expect("demo studies have descriptions");
        assert!(
            name.split(' ')
                .all(|w| w.chars().next().is_some_and(char::is_uppercase)),
            "{name}"
        );
        let patient_uid = rec.patient_uid.as_ref().expect("patient uid");
        assert_eq!(patient_uid, &patient_uid.to_uppercase());

        let r = client
            .dicom_study_no_files(h.clone())
            .await
            .expect("rpc")
            .into_inner();
        assert_ok(&r.status);
        assert_eq!(r.no_files, 10);
        let r = client
            .dicom_study_raw_no_files(h.clone())
            .await
            .expect("rpc")
            .into_inner();
        assert_ok(&r.status);
        assert_eq!(r.no_files, rec.raw_no_files);
        let r = client
            .dicom_study_number_of_images(h.clone())
            .await
            .expect("rpc")
            .into_inner();
        assert_ok(&r.status);
        assert_eq!(r.no_images, rec.number_of_images);

        let r = client
            .dicom_study_date(h.clone())
            .await
            .expect("rpc")
            .into_inner();
        assert_ok(&r.status);
        assert_eq!(r.fields(), (rec.date).fields());
        let earliest = rec
            .images
            .iter()
            .filter_map(|&i| catalog.images()[i].date)
            .min();
        assert_eq!(rec.date, earliest, "study date is the earliest image date");
        let r = client
            .dicom_study_date_added(h.clone())
            .await
            .expect("rpc")
            .into_inner();
        assert_ok(&r.status);
        assert_eq!(r.fields(), (Some(rec.date_added)).fields());
        let r = client
            .dicom_study_date_of_birth(h.clone())
            .await
            .expect("rpc")
            .into_inner();
        assert_ok(&r.status);
        let dob = rec.date_of_birth.expect("dob");
        use chrono::Datelike;
        assert_eq!(
            [r.year, r.month, r.day],
            [dob.year(), dob.month() as i32, dob.day() as i32]
        );

        // Paths, images and series: the record's sets, in the record's (uid) order.
        let r = client
            .dicom_study_paths(h.clone())
            .await
            .expect("rpc")
            .into_inner();
        assert_ok(&r.status);
        let expected: Vec<&str> = rec
            .images
            .iter()
            .map(|&i| catalog.images()[i].path.as_str())
            .collect();
        assert_eq!(r.paths, expected);
        assert!(r.paths.iter().all(|p| std::path::Path::new(p).is_file()));
        let r = client
            .dicom_study_images(h.clone())
            .await
            .expect("rpc")
            .into_inner();
        assert_ok(&r.status);
        let got: Vec<Option<ObjectRef>> = r
            .images
            .iter()
            .map(|i| emu.lookup(&i.osirixrpc_uid))
            .collect();
        let want: Vec<Option<ObjectRef>> = rec
            .images
            .iter()
            .map(|&i| Some(ObjectRef::Image(i)))
            .collect();
        assert_eq!(got, want);
        let r = client
            .dicom_study_series(h.clone())
            .await
            .expect("rpc")
            .into_inner();
        assert_ok(&r.status);
        let got: Vec<Option<ObjectRef>> = r
            .series
            .iter()
            .map(|s| emu.lookup(&s.osirixrpc_uid))
            .collect();
        let want: Vec<Option<ObjectRef>> = rec
            .series
            .iter()
            .map(|&i| Some(ObjectRef::Series(i)))
            .collect();
        assert_eq!(got, want);
        // Modalities: distinct series modalities joined with a backslash.
        let mut modalities: Vec<&str> = Vec::new();
        for &s in &rec.series {
            let m = catalog.series()[s].modality.as_str();
            if !modalities.contains(&m) {
                modalities.push(m);
            }
        }
        let joined = rec.modalities.as_deref().expect("modalities");
        let mut listed: Vec<&str> = joined.split('\\').collect();
        listed.sort_unstable();
        modalities.sort_unstable();
        assert_eq!(listed, modalities);
    }
    // Mixed studies report both modalities.
    assert!(
        catalog
            .studies()
            .iter()
            .any(|s| s.modalities.as_deref().is_some_and(|m| m.contains('\\')))
    );
}

#[tokio::test]
async fn series_rpcs_report_the_catalogue() {
    let Fixture {
        emulator: emu,
        mut client,
        dir: _dir,
    } = Fixture::demo().await;
    let catalog = emu.catalog().clone();
    assert!(catalog.series().iter().any(|s| s.description.is_none()));
    assert!(catalog.series().iter().any(|s| s.modality == "CT"));
    let mut some_unsorted = false;
    for (i, rec) in catalog.series().iter().enumerate() {
        let h = series(emu.uid_of_series(i).expect("uid"));
        let r = client
            .dicom_series_series_instance_uid(h.clone())
            .await
            .expect("rpc")
            .into_inner();
        assert_ok(&r.status);
        assert_eq!(r.series_instance_uid, rec.series_instance_uid);
        if rec.modality == "MR" {
            assert!(
                r.series_instance_uid
                    .starts_with(&rec.dicom_series_instance_uid)
            );
            assert!(
                r.series_instance_uid.contains(" TE-"),
                "{}",
                r.series_instance_uid
            );
        } else {
            assert_eq!(r.series_instance_uid, rec.dicom_series_instance_uid);
        }
        let r = client
            .dicom_series_series_sop_class_uid(h.clone())
            .await
            .expect("rpc")
            .into_inner();
        assert_ok(&r.status);
        assert_eq!(r.series_sop_class_uid, rec.sop_class_uid);
        assert!(
            r.series_sop_class_uid
                .starts_with("1.2.840.10008.5.1.4.1.1.")
        );
        let r = client
            .dicom_series_series_description(h.clone())
            .await
            .expect("rpc")
            .into_inner();
        match &rec.description {
            Some(d) => {
                assert_ok(&r.status);
                assert_eq!(&r.series_description, d);
            }
            None => assert_failed(&r.status, "No series description available"),
        }
        let r = client
            .dicom_series_name(h.clone())
            .await
            .expect("rpc")
            .into_inner();
        assert_ok(&r.status);
        assert_eq!(r.name, rec.name);
        assert_eq!(
            r.name,
            rec.description.clone().unwrap_or_else(|| "unnamed".into())
        );
        let r = client
            .dicom_series_modality(h.clone())
            .await
            .expect("rpc")
            .into_inner();
        assert_ok(&r.status);
        assert_eq!(r.modality, rec.modality);
        let r = client
            .dicom_series_number_of_images(h.clone())
            .await
            .expect("rpc")
            .into_inner();
        assert_ok(&r.status);
        assert_eq!(r.number_of_images, 5);
        let r = client
            .dicom_series_date(h.clone())
            .await
            .expect("rpc")
            .into_inner();
        assert_ok(&r.status);
        assert_eq!(r.fields(), (rec.date).fields());
        let last = rec
            .sorted_images
            .last()
            .map(|&i| &catalog.images()[i])
            .expect("images");
        assert_eq!(
            rec.date, last.date,
            "series date is the date of the highest instance number"
        );

        // Parent study: the same uid as the browser's.
        let r = client
            .dicom_series_study(h.clone())
            .await
            .expect("rpc")
            .into_inner();
        assert_ok(&r.status);
        assert_eq!(
            r.study.expect("study").osirixrpc_uid,
            emu.uid_of_study(rec.study).expect("uid")
        );

        // Next / previous in series-number order within the study, failing at the ends.
        let next = client
            .dicom_series_next_series(h.clone())
            .await
            .expect("rpc")
            .into_inner();
        match rec.next {
            Some(n) => {
                assert_ok(&next.status);
                assert_eq!(
                    next.next_series.expect("next").osirixrpc_uid,
                    emu.uid_of_series(n).expect("uid")
                );
                let (a, b) = (
                    rec.series_number.expect("number"),
                    catalog.series()[n].series_number.expect("number"),
                );
                assert!(a < b);
                assert_eq!(catalog.series()[n].study, rec.study);
            }
            None => {
                assert_failed(&next.status, "No next series");
                assert!(next.next_series.is_none());
            }
        }
        let prev = client
            .dicom_series_previous_series(h.clone())
            .await
            .expect("rpc")
            .into_inner();
        match rec.previous {
            Some(p) => {
                assert_ok(&prev.status);
                assert_eq!(
                    prev.previous_series.expect("previous").osirixrpc_uid,
                    emu.uid_of_series(p).expect("uid")
                );
            }
            None => assert_failed(&prev.status, "No previous series"),
        }

        // Sorted images: instance number, then slice location, as the image RPCs report them.
        let r = client
            .dicom_series_sorted_images(h.clone())
            .await
            .expect("rpc")
            .into_inner();
        assert_ok(&r.status);
        let mut keys = Vec::new();
        for img in &r.sorted_images {
            let n = client
                .dicom_image_instance_number(img.clone())
                .await
                .expect("rpc")
                .into_inner()
                .instance_number;
            let s = client
                .dicom_image_slice_location(img.clone())
                .await
                .expect("rpc")
                .into_inner()
                .slice_location;
            keys.push((n, s));
        }
        assert!(
            keys.windows(2)
                .all(|w| w[0].0 < w[1].0 || (w[0].0 == w[1].0 && w[0].1 < w[1].1)),
            "{keys:?}"
        );
        let sorted: Vec<String> = r
            .sorted_images
            .into_iter()
            .map(|i| i.osirixrpc_uid)
            .collect();
        let want: Vec<String> = rec
            .sorted_images
            .iter()
            .map(|&i| emu.uid_of_image(i).expect("uid"))
            .collect();
        assert_eq!(sorted, want);

        // Images and paths: the same set, in a deterministic order that is not the sorted one.
        let r = client
            .dicom_series_images(h.clone())
            .await
            .expect("rpc")
            .into_inner();
        assert_ok(&r.status);
        let images: Vec<String> = r.images.into_iter().map(|i| i.osirixrpc_uid).collect();
        assert_eq!(
            images.iter().collect::<HashSet<_>>(),
            sorted.iter().collect::<HashSet<_>>()
        );
        some_unsorted |= images != sorted;
        let again = client
            .dicom_series_images(h.clone())
            .await
            .expect("rpc")
            .into_inner();
        assert_eq!(
            again
                .images
                .into_iter()
                .map(|i| i.osirixrpc_uid)
                .collect::<Vec<_>>(),
            images,
            "deterministic"
        );
        let r = client
            .dicom_series_paths(h.clone())
            .await
            .expect("rpc")
            .into_inner();
        assert_ok(&r.status);
        let want: Vec<&str> = rec
            .images
            .iter()
            .map(|&i| catalog.images()[i].path.as_str())
            .collect();
        assert_eq!(r.paths, want);
    }
    assert!(some_unsorted, "unordered lists must not come back sorted");
}

#[tokio::test]
async fn image_rpcs_report_the_catalogue() {
    let Fixture {
        emulator: emu,
        mut client,
        dir: _dir,
    } = Fixture::demo().await;
    let catalog = emu.catalog().clone();
    for (i, rec) in catalog.images().iter().enumerate() {
        let h = image(emu.uid_of_image(i).expect("uid"));
        let r = client
            .dicom_image_width(h.clone())
            .await
            .expect("rpc")
            .into_inner();
        assert_ok(&r.status);
        let size = u32::from(osirix_emulator::demo::DemoSpec::default().image_size);
        assert_eq!((r.width, rec.width), (size, size));
        let r = client
            .dicom_image_height(h.clone())
            .await
            .expect("rpc")
            .into_inner();
        assert_ok(&r.status);
        assert_eq!((r.height, rec.height), (size, size));
        let r = client
            .dicom_image_sop_instance_uid(h.clone())
            .await
            .expect("rpc")
            .into_inner();
        assert_ok(&r.status);
        assert_eq!(r.sop_instance_uid, rec.sop_instance_uid);
        let r = client
            .dicom_image_complete_path(h.clone())
            .await
            .expect("rpc")
            .into_inner();
        assert_ok(&r.status);
        assert_eq!(r.complete_path, rec.path);
        assert!(std::path::Path::new(&r.complete_path).is_absolute());
        assert!(std::path::Path::new(&r.complete_path).is_file());
        let r = client
            .dicom_image_date(h.clone())
            .await
            .expect("rpc")
            .into_inner();
        assert_ok(&r.status);
        assert_eq!(r.fields(), (rec.date).fields());
        let r = client
            .dicom_image_number_of_frames(h.clone())
            .await
            .expect("rpc")
            .into_inner();
        assert_ok(&r.status);
        assert_eq!(r.number_of_frames, 1);
        let r = client
            .dicom_image_modality(h.clone())
            .await
            .expect("rpc")
            .into_inner();
        assert_ok(&r.status);
        assert_eq!(r.modality, rec.modality);
        assert_eq!(r.modality, catalog.series()[rec.series].modality);
        let r = client
            .dicom_image_slice_location(h.clone())
            .await
            .expect("rpc")
            .into_inner();
        assert_ok(&r.status);
        assert_eq!(r.slice_location, rec.slice_location);
        let r = client
            .dicom_image_instance_number(h.clone())
            .await
            .expect("rpc")
            .into_inner();
        assert_ok(&r.status);
        assert_eq!(r.instance_number, rec.instance_number);
        assert!(r.instance_number >= 1);
        let r = client
            .dicom_image_series(h.clone())
            .await
            .expect("rpc")
            .into_inner();
        assert_ok(&r.status);
        assert_eq!(
            r.series.expect("series").osirixrpc_uid,
            emu.uid_of_series(rec.series).expect("uid")
        );
    }
}

#[tokio::test]
async fn demo_dates_have_fractions_and_fallbacks() {
    let Fixture {
        emulator: emu,
        dir: _dir,
        ..
    } = Fixture::demo().await;
    let catalog = emu.catalog();
    // Fractional seconds give a non-zero (wrapped) millisecond.
    assert!(
        catalog
            .images()
            .iter()
            .any(|i| i.date.is_some_and(|d| d.millisecond != 0))
    );
    // Every image has a date: acquisition, else the series date/time (one demo series has no acquisition).
    assert!(catalog.images().iter().all(|i| i.date.is_some()));
    // Instance numbers do not follow the file order in at least one series.
    assert!(catalog.series().iter().any(|s| {
        let mut by_path = s.sorted_images.clone();
        by_path.sort_by(|&a, &b| catalog.images()[a].path.cmp(&catalog.images()[b].path));
        by_path != s.sorted_images
    }));
}
