//! Viewer handles. The emulator has no viewers; against a real OsiriX these name its open windows.

crate::osirix_class! {
    /// A 2D viewer window (`ViewerController`); from [`Client::displayed_2d_viewers`](crate::Client::displayed_2d_viewers).
    pub class ViewerController {
        /// The window title.
        #[rpc(ViewerControllerTitle)]
        pub fn title() -> String = title;

        /// The modality of the displayed series.
        #[rpc(ViewerControllerModality)]
        pub fn modality() -> String = modality;
    }

    /// A 3D (volume rendering) window (`VRController`); from
    /// [`Client::displayed_vr_controllers`](crate::Client::displayed_vr_controllers).
    #[osirix(wire = "VRController")]
    pub class VrController {
        /// The window title.
        #[rpc(VRControllerTitle)]
        pub fn title() -> String = title;

        /// The rendering style.
        #[rpc(VRControllerStyle)]
        pub fn style() -> String = style;
    }
}
