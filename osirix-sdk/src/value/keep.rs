//! How the cache keeps a value and binds it again: the value itself when its type keeps itself (the SDK's
//! types), else the payload it was made from, made again on every hit.

use super::FromWire;
use crate::Client;
use crate::cache::Kept;

/// Makes `T` from `payload`, and what the cache keeps of it.
pub(crate) fn make_and_keep<P, T>(
    payload: P,
    client: &Client,
) -> Result<(T, Kept), super::Malformed>
where
    P: Clone + Send + Sync + 'static,
    T: FromWire<P>,
{
    if T::__KEEPS_VALUE {
        let value = T::from_wire(payload, client)?;
        let kept = value.__keep();
        Ok((value, kept))
    } else {
        let kept = Kept::any(payload.clone());
        Ok((T::from_wire(payload, client)?, kept))
    }
}

/// The value again from what [`make_and_keep`] kept (or [`Kept::Absent`] for the declared absence, which
/// `absent` makes), bound to `client`; `None` when `kept` is not what `T` keeps.
pub(crate) fn restore<P, T>(kept: &Kept, client: &Client, absent: Option<fn() -> T>) -> Option<T>
where
    P: Clone + 'static,
    T: FromWire<P>,
{
    if T::__KEEPS_VALUE {
        return T::__restore(kept, client);
    }
    match kept {
        Kept::Absent => absent.map(|absent| absent()),
        kept => T::from_wire(kept.downcast::<P>()?.clone(), client).ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Malformed;
    use crate::{DicomImage, DicomSeries, DicomStudy, proto};

    fn client() -> Client {
        Client::builder("http://127.0.0.1:9")
            .connect_lazy()
            .expect("a lazy client needs no server")
    }

    /// `value` made from `payload`, kept, and restored for another client.
    fn round_trip<P, T>(payload: P) -> (T, Option<T>)
    where
        P: Clone + Send + Sync + 'static,
        T: FromWire<P>,
    {
        let (value, kept) = make_and_keep::<P, T>(payload, &client()).expect("decodes");
        (value, restore::<P, T>(&kept, &client(), None))
    }

    #[track_caller]
    fn same<P, T>(payload: P)
    where
        P: Clone + Send + Sync + 'static,
        T: FromWire<P> + PartialEq + std::fmt::Debug,
    {
        let (value, restored) = round_trip::<P, T>(payload);
        assert_eq!(restored.as_ref(), Some(&value));
    }

    #[tokio::test]
    async fn every_kept_form_reads_back_what_was_kept() {
        same::<bool, bool>(true);
        same::<bool, bool>(false);
        same::<i32, i32>(i32::MIN);
        same::<i32, u32>(7);
        same::<u32, u32>(i32::MAX as u32);
        same::<f32, f32>(-0.5);
        let (_, nan) = round_trip::<f32, f32>(f32::NAN);
        assert!(nan.is_some_and(f32::is_nan));
        same::<String, String>("é/path".into());
        same::<String, Option<String>>(String::new());
        same::<Vec<i32>, Vec<u32>>(vec![3, 1]);
        same::<Vec<String>, Vec<String>>(vec!["a".into(), "b".into()]);
        same::<(f32, i32), (f32, u32)>((1.5, 2));
        same::<Vec<bool>, Vec<bool>>(vec![true, false]);
        same::<proto::DicomSeriesDateResponse, chrono::NaiveDateTime>(
            proto::DicomSeriesDateResponse {
                status: None,
                year: 2022,
                month: 8,
                day: 3,
                hour: 19,
                minute: 1,
                second: 19,
                millisecond: 1_718_993_592,
            },
        );
        same::<proto::DicomStudyDateOfBirthResponse, chrono::NaiveDate>(
            proto::DicomStudyDateOfBirthResponse {
                status: None,
                year: 1970,
                month: 1,
                day: 1,
            },
        );
    }

    #[tokio::test]
    async fn handles_are_kept_as_uids_and_bound_to_the_reader() {
        let uid = "E621E1F8-C36C-495A-93FC-0C247A3E6E5F";
        let wire = Some(proto::DicomStudy {
            osirixrpc_uid: uid.into(),
        });
        let (made, kept) = make_and_keep::<_, DicomStudy>(wire, &client()).expect("decodes");
        assert!(matches!(&kept, Kept::Text(text) if &**text == uid));
        let reader = client();
        let restored = restore::<Option<proto::DicomStudy>, DicomStudy>(&kept, &reader, None)
            .expect("restores");
        assert_eq!(restored.uid(), made.uid());
        assert!(restored.client().same_as(&reader), "bound to the reader");
        let images: Vec<_> = ["A", "B"]
            .iter()
            .map(|u| proto::DicomImage {
                osirixrpc_uid: (*u).into(),
            })
            .collect();
        let (list, kept) = make_and_keep::<_, Vec<DicomImage>>(images, &client()).expect("decodes");
        let restored = restore::<Vec<proto::DicomImage>, Vec<DicomImage>>(&kept, &reader, None)
            .expect("restores");
        assert_eq!(
            restored.iter().map(DicomImage::uid).collect::<Vec<_>>(),
            list.iter().map(DicomImage::uid).collect::<Vec<_>>()
        );
    }

    /// A type of the user's own: the cache keeps its payload and makes it again on each hit.
    #[derive(Debug, Clone, PartialEq)]
    struct Year(i32);

    impl FromWire<proto::DicomStudyDateResponse> for Year {
        fn from_wire(wire: proto::DicomStudyDateResponse, _: &Client) -> Result<Self, Malformed> {
            Ok(Year(wire.year))
        }
    }

    #[tokio::test]
    async fn a_user_type_is_kept_as_its_payload_and_absences_as_absent() {
        let wire = proto::DicomStudyDateResponse {
            year: 2024,
            ..Default::default()
        };
        let (_, kept) = make_and_keep::<_, Year>(wire.clone(), &client()).expect("decodes");
        assert!(kept.downcast::<proto::DicomStudyDateResponse>().is_some());
        same::<_, Year>(wire.clone());
        same::<_, Option<Year>>(wire);
        let absent = restore::<proto::DicomStudyDateResponse, Option<Year>>(
            &Kept::Absent,
            &client(),
            Some(|| None),
        );
        assert_eq!(absent, Some(None));
        let absent = restore::<String, Option<String>>(&Kept::Absent, &client(), Some(|| None));
        assert_eq!(absent, Some(None));
    }

    // Checked at compile time: the values that hold handles say so, and only those.
    const _: () = {
        assert!(<DicomStudy as FromWire<Option<proto::DicomStudy>>>::HOLDS_HANDLES);
        assert!(<Option<DicomSeries> as FromWire<Option<proto::DicomSeries>>>::HOLDS_HANDLES);
        assert!(<Vec<DicomImage> as FromWire<Vec<proto::DicomImage>>>::HOLDS_HANDLES);
        assert!(<(u32, DicomImage) as FromWire<(i32, proto::DicomImage)>>::HOLDS_HANDLES);
        assert!(!<String as FromWire<String>>::HOLDS_HANDLES);
        assert!(!<Option<String> as FromWire<String>>::HOLDS_HANDLES);
        assert!(!<Vec<u32> as FromWire<Vec<u32>>>::HOLDS_HANDLES);
        assert!(
            !<chrono::NaiveDateTime as FromWire<proto::DicomSeriesDateResponse>>::HOLDS_HANDLES
        );
        assert!(!<Year as FromWire<proto::DicomStudyDateResponse>>::HOLDS_HANDLES);
    };
}
