/** A small typed event emitter; a listener that throws does not stop the others. */
export class Emitter {
    listeners = new Map();
    /** Adds a listener; returns the function that removes it. */
    on(name, listener) {
        let set = this.listeners.get(name);
        if (!set) {
            set = new Set();
            this.listeners.set(name, set);
        }
        set.add(listener);
        return () => this.off(name, listener);
    }
    off(name, listener) {
        this.listeners.get(name)?.delete(listener);
    }
    emit(name, value) {
        for (const listener of [...(this.listeners.get(name) ?? [])]) {
            try {
                listener(value);
            }
            catch (error) {
                queueMicrotask(() => { throw error; }); // reported as uncaught, like a DOM event listener's
            }
        }
    }
}
