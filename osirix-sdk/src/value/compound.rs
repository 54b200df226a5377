//! Values built of others: `Option` for declared absences, `Vec` for repeated fields, tuples for declarations
//! of several fields (`= (wl, ww)`), and the nested messages of the protocol. Each keeps its parts the way they
//! keep themselves, or the payload when a part does not keep itself.

use std::sync::Arc;

use super::{FromWire, Malformed};
use crate::Client;
use crate::cache::Kept;
use crate::proto;

/// The value of an accessor declared with `absent = "..."`: `Some` of the payload, `None` for the absence.
impl<W, T: FromWire<W>> FromWire<W> for Option<T> {
    fn from_wire(wire: W, client: &Client) -> Result<Self, Malformed> {
        T::from_wire(wire, client).map(Some)
    }

    fn weigh(&self) -> usize {
        self.as_ref()
            .map_or(size_of::<Self>(), <T as FromWire<W>>::weigh)
    }

    const HOLDS_HANDLES: bool = T::HOLDS_HANDLES;
    const __KEEPS_VALUE: bool = T::__KEEPS_VALUE;

    fn __keep(&self) -> Kept {
        self.as_ref().map_or(Kept::Absent, T::__keep)
    }

    fn __restore(kept: &Kept, client: &Client) -> Option<Self> {
        match kept {
            Kept::Absent => Some(None),
            kept => T::__restore(kept, client).map(Some),
        }
    }
}

/// A repeated field: every element checked, then the list as a whole (a list of handles repeats none).
impl<W, T: FromWire<W>> FromWire<Vec<W>> for Vec<T> {
    fn from_wire(wire: Vec<W>, client: &Client) -> Result<Self, Malformed> {
        let items = wire
            .into_iter()
            .map(|item| T::from_wire(item, client))
            .collect::<Result<Vec<T>, _>>()?;
        T::__check_list(&items)?;
        Ok(items)
    }

    fn weigh(&self) -> usize {
        size_of::<Self>() + self.iter().map(<T as FromWire<W>>::weigh).sum::<usize>()
    }

    const HOLDS_HANDLES: bool = T::HOLDS_HANDLES;
    const __KEEPS_VALUE: bool = T::__KEEPS_VALUE;

    fn __keep(&self) -> Kept {
        Kept::List(self.iter().map(T::__keep).collect())
    }

    fn __restore(kept: &Kept, client: &Client) -> Option<Self> {
        match kept {
            Kept::List(items) => items.iter().map(|k| T::__restore(k, client)).collect(),
            _ => None,
        }
    }
}

/// Tuples, for declarations of several fields (`= (wl, ww)`).
macro_rules! tuples {
    ($(($($t:ident $w:ident $v:ident),+);)*) => {$(
        impl<$($w, $t: FromWire<$w>),+> FromWire<($($w,)+)> for ($($t,)+) {
            fn from_wire(($($v,)+): ($($w,)+), client: &Client) -> Result<Self, Malformed> {
                Ok(($(<$t as FromWire<$w>>::from_wire($v, client)?,)+))
            }

            fn weigh(&self) -> usize {
                let ($($v,)+) = self;
                0 $(+ <$t as FromWire<$w>>::weigh($v))+
            }

            const HOLDS_HANDLES: bool = false $(|| <$t as FromWire<$w>>::HOLDS_HANDLES)+;
            const __KEEPS_VALUE: bool = true $(&& <$t as FromWire<$w>>::__KEEPS_VALUE)+;

            fn __keep(&self) -> Kept {
                let ($($v,)+) = self;
                Kept::List(Arc::from([$(<$t as FromWire<$w>>::__keep($v)),+]))
            }

            fn __restore(kept: &Kept, client: &Client) -> Option<Self> {
                let Kept::List(items) = kept else { return None };
                let [$($v),+] = &items[..] else { return None };
                Some(($(<$t as FromWire<$w>>::__restore($v, client)?,)+))
            }
        }
    )*};
}
tuples! {
    (A WA a, B WB b);
    (A WA a, B WB b, C WC c);
    (A WA a, B WB b, C WC c, D WD d);
    (A WA a, B WB b, C WC c, D WD d, E WE e);
    (A WA a, B WB b, C WC c, D WD d, E WE e, F WF f);
}

/// A point of an ROI (`ROIPoints`) as `(x, y)`: x the column, y the row, in pixels.
impl FromWire<proto::roi_points_response::Point2D> for (f32, f32) {
    fn from_wire(wire: proto::roi_points_response::Point2D, _: &Client) -> Result<Self, Malformed> {
        Ok((wire.x, wire.y))
    }

    const __KEEPS_VALUE: bool = true;

    fn __keep(&self) -> Kept {
        <(f32, f32) as FromWire<(f32, f32)>>::__keep(self)
    }

    fn __restore(kept: &Kept, client: &Client) -> Option<Self> {
        <(f32, f32) as FromWire<(f32, f32)>>::__restore(kept, client)
    }
}

/// One slice of a viewer's ROI list (`ViewerControllerROIList`): its ROIs, as handles of any class declared over
/// OsiriX's `ROI`.
impl<H: FromWire<proto::Roi>> FromWire<proto::viewer_controller_roi_list_response::RoiSlice>
    for Vec<H>
{
    fn from_wire(
        wire: proto::viewer_controller_roi_list_response::RoiSlice,
        client: &Client,
    ) -> Result<Self, Malformed> {
        <Vec<H> as FromWire<Vec<proto::Roi>>>::from_wire(wire.rois, client)
    }

    fn weigh(&self) -> usize {
        <Vec<H> as FromWire<Vec<proto::Roi>>>::weigh(self)
    }

    const HOLDS_HANDLES: bool = H::HOLDS_HANDLES;
    const __KEEPS_VALUE: bool = H::__KEEPS_VALUE;

    fn __keep(&self) -> Kept {
        <Vec<H> as FromWire<Vec<proto::Roi>>>::__keep(self)
    }

    fn __restore(kept: &Kept, client: &Client) -> Option<Self> {
        <Vec<H> as FromWire<Vec<proto::Roi>>>::__restore(kept, client)
    }
}
