// The checkpoint op of one server thread: writes its shard into
// <checkpoint_dir>/<folder>/server-<server>-<thread>.shard (core/checkpoint_file.hpp) and
// answers the file's record for the manifest. The thread writes while it serves nothing
// else: the workers wait in the checkpoint's barrier anyway (docs/checkpoints.md).
#pragma once

#include <cstdint>
#include <string>

#include "core/checkpoint_file.hpp"
#include "server/request_handler.hpp"

namespace paracel::server {

// Throws status_error (bad_request) when the server has no checkpoint folder or `folder` is
// not a plain name; paracel::error when writing fails.
checkpoint::file_record write_shard_checkpoint(handler_context& ctx, const std::string& folder,
                                               std::int64_t clock, std::int32_t server);

}  // namespace paracel::server
