#!/usr/bin/env bash
# Vendor ECharts and Swagger UI from their npm packages into backend/console/static/vendor (no CDN at run time).
set -euo pipefail
echarts=${1:?echarts version}; swagger=${2:?swagger-ui-dist version}
root=$(cd "$(dirname "$0")/.." && pwd); dest=$root/backend/console/static/vendor
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm pack --silent "echarts@$echarts" "swagger-ui-dist@$swagger" >/dev/null
mkdir e s && tar xzf "echarts-$echarts.tgz" -C e && tar xzf "swagger-ui-dist-$swagger.tgz" -C s
rm -rf "$dest/echarts" "$dest/swagger-ui" && mkdir -p "$dest/echarts" "$dest/swagger-ui"
cp e/package/dist/echarts.min.js e/package/LICENSE e/package/NOTICE "$dest/echarts/"
echo "echarts $echarts (npm), dist/echarts.min.js" > "$dest/echarts/VERSION"
cp s/package/{swagger-ui-bundle.js,swagger-ui-bundle.js.LICENSE.txt,swagger-ui.css,LICENSE,NOTICE,favicon-32x32.png} \
  "$dest/swagger-ui/"
echo "swagger-ui-dist $swagger (npm)" > "$dest/swagger-ui/VERSION"
# Source maps are not shipped: drop the references so browsers don't ask for them.
sed -i 's#^//\# sourceMappingURL=.*##' "$dest/swagger-ui/swagger-ui-bundle.js"
sed -i 's#/\*\# sourceMappingURL=[^*]*\*/##' "$dest/swagger-ui/swagger-ui.css"
echo "vendored echarts $echarts and swagger-ui-dist $swagger into $dest"
