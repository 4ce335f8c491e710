// attnlab core: one piece of work on a worker thread, with progress and cancellation, so a long
// solve (identity on many keys) never freezes the window that started it.
//
// Calling rules
// - The constructor starts `work` on a new thread at once. `work` receives a cancel flag to check
//   in its loops (SolveOptions::cancel) and a progress callback (done, total) to call as it goes;
//   it must use only what it captured by value (the caller keeps changing its own state).
// - finished(), progress() and cancel() may be called from the owning thread at any time;
//   take() only once finished() is true (it joins the thread and returns the result once).
// - Destroying an unfinished job cancels it and waits for the thread (at most one step of work).
// - An exception escaping `work` is kept and rethrown by take().
#pragma once

#include <atomic>
#include <exception>
#include <functional>
#include <thread>
#include <utility>

namespace attn {

template <typename Result>
class BackgroundJob {
public:
    using Progress = std::function<void(int done, int total)>;
    using Work = std::function<Result(const std::atomic<bool>& cancel, const Progress& progress)>;

    explicit BackgroundJob(Work work) : thread_([this, work = std::move(work)] { run(work); }) {}
    ~BackgroundJob() {
        cancel();
        if (thread_.joinable()) thread_.join();
    }
    BackgroundJob(const BackgroundJob&) = delete;
    BackgroundJob& operator=(const BackgroundJob&) = delete;

    void cancel() { cancel_ = true; }
    bool cancelled() const { return cancel_; }
    bool finished() const { return finished_; }
    // (done, total) as last reported; (0, 0) before the first report.
    std::pair<int, int> progress() const {
        const long long packed = progress_;
        return {static_cast<int>(packed >> 32), static_cast<int>(packed & 0xFFFFFFFF)};
    }
    Result take() {
        if (thread_.joinable()) thread_.join();
        if (error_) std::rethrow_exception(error_);
        return std::move(result_);
    }

private:
    void run(const Work& work) {
        try {
            result_ = work(cancel_, [this](int done, int total) {
                progress_ = (static_cast<long long>(done) << 32) | static_cast<unsigned>(total);
            });
        } catch (...) {
            error_ = std::current_exception();
        }
        finished_ = true;
    }

    std::atomic<bool> cancel_{false};
    std::atomic<bool> finished_{false};
    std::atomic<long long> progress_{0};
    Result result_{};
    std::exception_ptr error_;
    std::thread thread_;  // last: starts after every member above is ready
};

}  // namespace attn
