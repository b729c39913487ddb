// aws-local-stepfunctions 3.x targets Node 22, where Promise.withResolvers exists; Node 20 lacks it.
// Polyfilled for the tests and the local pipeline only: nothing that runs in AWS depends on it.
const promiseCtor = Promise as unknown as { withResolvers?: unknown };
if (typeof promiseCtor.withResolvers !== "function") {
    promiseCtor.withResolvers = function withResolvers<T>() {
        let resolve!: (value: T | PromiseLike<T>) => void;
        let reject!: (reason?: unknown) => void;
        const promise = new Promise<T>((res, rej) => {
            resolve = res;
            reject = rej;
        });
        return { promise, resolve, reject };
    };
}
