//! The windows on screen, front to back: 2D viewers and 3D (VR and MIP) windows in one order, as OsiriX's
//! window list has them.

/// A window: a 2D viewer or a 3D window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Window {
    /// A 2D viewer, by id.
    Viewer(u64),
    /// A 3D (VR or MIP) window, by id.
    Vr(u64),
}

/// The window order, front first.
#[derive(Debug, Default)]
pub(crate) struct Windows {
    front_to_back: Vec<Window>,
}

impl Windows {
    /// Puts `window` in front of every other (adding it if it is new).
    pub(crate) fn bring_to_front(&mut self, window: Window) {
        self.front_to_back.retain(|&w| w != window);
        self.front_to_back.insert(0, window);
    }

    /// Takes `window` off the screen; `true` if it was there.
    pub(crate) fn remove(&mut self, window: Window) -> bool {
        let before = self.front_to_back.len();
        self.front_to_back.retain(|&w| w != window);
        self.front_to_back.len() != before
    }

    /// The 2D viewers, front to back.
    pub(crate) fn viewers(&self) -> impl Iterator<Item = u64> + '_ {
        self.front_to_back.iter().filter_map(|w| match w {
            Window::Viewer(id) => Some(*id),
            Window::Vr(_) => None,
        })
    }

    /// The 3D windows, front to back.
    pub(crate) fn vr_windows(&self) -> impl Iterator<Item = u64> + '_ {
        self.front_to_back.iter().filter_map(|w| match w {
            Window::Vr(id) => Some(*id),
            Window::Viewer(_) => None,
        })
    }

    /// The front window, if any.
    pub(crate) fn front(&self) -> Option<Window> {
        self.front_to_back.first().copied()
    }

    /// Every window, front to back.
    #[cfg(test)]
    pub(crate) fn all(&self) -> &[Window] {
        &self.front_to_back
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_brought_to_front_comes_first() {
        let mut windows = Windows::default();
        windows.bring_to_front(Window::Viewer(1));
        windows.bring_to_front(Window::Vr(7));
        windows.bring_to_front(Window::Viewer(2));
        assert_eq!(windows.viewers().collect::<Vec<_>>(), [2, 1]);
        windows.bring_to_front(Window::Viewer(1));
        assert_eq!(
            windows.all(),
            [Window::Viewer(1), Window::Viewer(2), Window::Vr(7)]
        );
        assert_eq!(windows.vr_windows().collect::<Vec<_>>(), [7]);
        assert_eq!(windows.front(), Some(Window::Viewer(1)));
        assert!(windows.remove(Window::Viewer(2)));
        assert!(!windows.remove(Window::Viewer(2)));
        assert_eq!(windows.viewers().collect::<Vec<_>>(), [1]);
        assert!(windows.remove(Window::Viewer(1)));
        assert_eq!(windows.front(), Some(Window::Vr(7)));
    }
}
