//! The 3D window handle, with the two accessors it has so far.

crate::osirix_class! {
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
