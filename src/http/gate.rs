//! The handler slots: how many requests the application works on at once; a request takes one only once it has arrived whole.
//!
//! The front doors read a request's head and body on a connection thread, within the
//! request deadline, and only then [`Gate::enter`] to call the application. A client that
//! trickles its body therefore holds a connection thread (there are dozens) and never one
//! of the few slots the application's work needs.

use std::sync::{Condvar, Mutex, PoisonError};

/// A counting semaphore of handler slots.
#[derive(Debug)]
pub struct Gate {
    free: Mutex<usize>,
    freed: Condvar,
    slots: usize,
}

impl Gate {
    /// A gate with `slots` slots (at least one).
    pub fn new(slots: usize) -> Gate {
        let slots = slots.max(1);
        Gate {
            free: Mutex::new(slots),
            freed: Condvar::new(),
            slots,
        }
    }

    /// The number of slots.
    pub fn slots(&self) -> usize {
        self.slots
    }

    /// Waits for a free slot and takes it until the returned guard is dropped.
    pub fn enter(&self) -> Slot<'_> {
        let mut free = self.free.lock().unwrap_or_else(PoisonError::into_inner);
        while *free == 0 {
            free = self
                .freed
                .wait(free)
                .unwrap_or_else(PoisonError::into_inner);
        }
        *free -= 1;
        Slot { gate: self }
    }
}

/// A taken slot, given back when dropped (a panic included).
#[derive(Debug)]
pub struct Slot<'a> {
    gate: &'a Gate,
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let mut free = self
            .gate
            .free
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *free += 1;
        drop(free);
        self.gate.freed.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    #[test]
    fn no_more_than_the_slots_are_inside_at_once() {
        let gate = Arc::new(Gate::new(2));
        let inside = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..6)
            .map(|_| {
                let (gate, inside, most) = (gate.clone(), inside.clone(), most.clone());
                std::thread::spawn(move || {
                    let _slot = gate.enter();
                    let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(20));
                    inside.fetch_sub(1, Ordering::SeqCst);
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        assert_eq!(most.load(Ordering::SeqCst), 2);
        // All slots are free again: two can be taken without waiting.
        let (_a, _b) = (gate.enter(), gate.enter());
    }
}
