// PARACEL_EXPORT marks what libparacel exports: the library is built with hidden symbol
// visibility, so anything a user program links against must carry it.
#pragma once

#define PARACEL_EXPORT __attribute__((visibility("default")))
