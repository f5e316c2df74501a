//! The handler slots: how many requests the application works on at once; a request takes one only once it has arrived whole.
//!
//! The front doors read a request's head and body on a connection thread, within the
//! request deadline, and only then [`Gate::enter`] to call the application. A client that
//! trickles its body therefore holds a connection thread (there are dozens) and never one
//! of the few slots the application's work needs.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::Thread;

/// A counting semaphore of handler slots, first come first served: a freed slot is handed to
/// the longest waiter, so that a request cannot be overtaken again and again by newer ones
/// (with a plain condition variable, a woken waiter loses the slot to any thread that comes
/// in meanwhile, and the slowest answers wait hundreds of milliseconds under load).
#[derive(Debug)]
pub struct Gate {
    state: Mutex<State>,
    slots: usize,
}

#[derive(Debug)]
struct State {
    free: usize,
    waiting: VecDeque<Arc<Waiter>>,
}

#[derive(Debug)]
struct Waiter {
    thread: Thread,
    granted: AtomicBool,
}

impl Gate {
    /// A gate with `slots` slots (at least one).
    pub fn new(slots: usize) -> Gate {
        let slots = slots.max(1);
        Gate {
            state: Mutex::new(State {
                free: slots,
                waiting: VecDeque::new(),
            }),
            slots,
        }
    }

    /// The number of slots.
    pub fn slots(&self) -> usize {
        self.slots
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits for a free slot (after those who came first) and takes it until the returned
    /// guard is dropped.
    pub fn enter(&self) -> Slot<'_> {
        let mut state = self.lock();
        if state.free > 0 && state.waiting.is_empty() {
            state.free -= 1;
            return Slot { gate: self };
        }
        let waiter = Arc::new(Waiter {
            thread: std::thread::current(),
            granted: AtomicBool::new(false),
        });
        state.waiting.push_back(Arc::clone(&waiter));
        drop(state);
        // The slot is handed over by the one who frees it; park may also return spuriously.
        while !waiter.granted.load(Ordering::Acquire) {
            std::thread::park();
        }
        Slot { gate: self }
    }
}

/// A taken slot, handed to the next waiter or given back when dropped (a panic included).
#[derive(Debug)]
pub struct Slot<'a> {
    gate: &'a Gate,
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let mut state = self.gate.lock();
        match state.waiting.pop_front() {
            Some(next) => {
                drop(state);
                next.granted.store(true, Ordering::Release);
                next.thread.unpark();
            }
            None => state.free += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
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

    #[test]
    fn a_freed_slot_goes_to_the_longest_waiter() {
        let gate = Arc::new(Gate::new(1));
        let order = Arc::new(Mutex::new(Vec::new()));
        let held = gate.enter();
        let mut threads = Vec::new();
        for i in 0..4 {
            let (gate2, order2) = (gate.clone(), order.clone());
            threads.push(std::thread::spawn(move || {
                let _slot = gate2.enter();
                order2.lock().unwrap().push(i);
            }));
            // Each one queued before the next comes.
            while gate.lock().waiting.len() < i + 1 {
                std::thread::yield_now();
            }
        }
        drop(held);
        for thread in threads {
            thread.join().unwrap();
        }
        assert_eq!(*order.lock().unwrap(), vec![0, 1, 2, 3]);
    }
}
