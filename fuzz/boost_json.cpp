// Boost.JSON's implementation, compiled with the fuzz flags (the root project links the
// libboost_json library instead): the JSON parser is instrumented like argon's own code.
#include <boost/json/src.hpp>
